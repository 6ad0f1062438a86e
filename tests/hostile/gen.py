#!/usr/bin/env python3
"""Hostile inputs of a chosen size, written to standard output.

    gen.py SHAPE N

SHAPE is one of:
  json-keys    a JSON object with N keys that share their first 16 bytes
  units        a budget with N sub-units, each with a unit row in T07
  unit-rows    a budget with N sub-units and N rows naming the last one
  codes        a budget with N item rows in T07, each with its own code
  xml-attrs    an XML element with N attributes
  bulk         a JSON Lines bulk of N documents, two of each department
"""
import json
import sys


def budget(nunits, rows_last=0, ncodes=0, dept="hostile", code=None):
    units = [{"id": "dept", "name": dept, "kind": "department"}]
    units += [{"id": "u%d" % i, "name": "%s unit %d" % (dept, i), "kind": "subunit",
               "parent": "dept"} for i in range(1, nunits + 1)]
    cells = {"total": "1.00", "basic": "1.00", "project": "0.00"}
    rows = [{"kind": "unit", "unit": u["id"], "name": u["name"], "cells": cells} for u in units[1:]]
    last = units[-1]
    rows += [{"kind": "unit", "unit": last["id"], "name": last["name"], "cells": cells}
             for _ in range(rows_last)]
    rows += [{"kind": "item", "unit": "dept", "code": "2%06d" % i, "name": "item %d" % i,
              "cells": cells} for i in range(ncodes)]
    d = {"format": "budgetkit-budget", "version": 1, "fiscal_year": 2024,
         "department": {"name": dept}, "money_unit": "万元", "precision": 2,
         "units": units, "tables": [{"id": "T07", "rows": rows}]}
    if code:
        d["department"]["code"] = code
    return d


def main():
    shape, n = sys.argv[1], int(sys.argv[2])
    out = sys.stdout
    if shape == "json-keys":
        out.write("{" + ",".join('"aaaaaaaaaaaaaaaa%06d":0' % i for i in range(n)) + "}\n")
    elif shape == "units":
        json.dump(budget(n), out, ensure_ascii=False)
    elif shape == "unit-rows":
        json.dump(budget(n, rows_last=n), out, ensure_ascii=False)
    elif shape == "codes":
        json.dump(budget(1, ncodes=n), out, ensure_ascii=False)
    elif shape == "xml-attrs":
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<budget ')
        out.write(" ".join('a%d="1"' % i for i in range(n)))
        out.write("/>\n")
    elif shape == "bulk":
        for i in range(n):
            d = budget(1, dept="department %d" % (i // 2))
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
    else:
        sys.exit("unknown shape " + shape)


main()
