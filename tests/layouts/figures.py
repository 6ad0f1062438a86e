#!/usr/bin/env python3
"""Check printed figures in a budgetkit JSON document.

usage: figures.py DOC.json FIGURES.tsv
FIGURES.tsv: table, a JSON object selecting one row by its fields (name, code, section, level,
kind, unit: an id or a unit kind), a column id, and the figure as printed (thousands separators allowed). The cell
must hold exactly that decimal; a selector must find exactly one row."""
import json
import sys
from decimal import Decimal


def main():
    doc = json.load(open(sys.argv[1], encoding="utf-8"))
    tables = {t["id"]: t for t in doc["tables"]}
    kinds = {u["id"]: u["kind"] for u in doc["units"]}

    def field(row, k):
        # "unit" names a unit by its kind (department, self) or its id.
        if k == "unit" and sel[k] in ("department", "self", "subunit"):
            return kinds.get(row.get("unit"))
        if k in row:
            return row[k]
        return row.get("cells", {}).get(k)  # a generic table's row by one of its cells
    bad = checked = 0
    for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
        if n == 1 or not line.strip() or line.startswith("#"):
            continue
        table, sel, col, printed = line.rstrip("\n").split("\t")
        sel = json.loads(sel)
        rows = [r for r in tables.get(table, {}).get("rows", [])
                if all(field(r, k) == v for k, v in sel.items())]
        want = Decimal(printed.replace(",", ""))
        if len(rows) != 1:
            print("FAIL %s %s: %d rows match" % (table, json.dumps(sel, ensure_ascii=False),
                                                  len(rows)))
            bad += 1
            continue
        got = rows[0]["cells"].get(col)
        if got is None or Decimal(got) != want or len(got.split(".")[-1]) != len(
                printed.split(".")[-1]):
            print("FAIL %s %s %s: %s, printed %s" % (table, json.dumps(sel, ensure_ascii=False),
                                                    col, got, printed))
            bad += 1
        checked += 1
    print("%d figures checked, %d wrong" % (checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
