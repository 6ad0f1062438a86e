#!/usr/bin/env python3
"""Write a bulk of small documents as JSON Lines, for measuring what validating many documents
keeps in memory (formats/limits.md, "What memory a job takes").

  smalldocs.py [--documents N] [--departments K] [--shape small|tiny] [-o FILE]

small: the 收入总表 (T02) of the bundled Dapeng sample with its department row and one unit row;
       four figures of the unit row are changed, so every document has five findings (its
       total and the department's row no longer add up).
tiny:  a three-column table (T10) with a department row and a unit row, all zero, no finding.

With --departments K the documents belong to K departments in turn (so the check across
documents compares them); 0 (the default) gives every document a department of its own."""
import argparse
import json
import sys

SMALL = {
    "total": "4115.36", "general": "4115.36", "general_basic": "1128.84",
    "general_duty": "2654.52", "general_special": "0.00", "general_invest": "332.00",
    "fund": "0.00", "soe": "0.00", "special_account": "0.00", "biz_income": "0.00",
    "biz_operating": "0.00", "superior": "0.00", "affiliated": "0.00", "other": "0.00",
    "carryover": "0.00",
}
# Five figures of the unit row that no longer add up.
CHANGED = {"fund": "1.00", "soe": "2.00", "other": "3.00", "carryover": "4.00"}
TINY = {"total": "0.00", "basic": "0.00", "project": "0.00"}


def document(i, departments, shape):
    n = i % departments if departments else i
    dept = "深圳市测试区第%07d局" % n
    own = dept + "(本级)"
    if shape == "small":
        table, dept_cells, unit_cells = {"id": "T02"}, SMALL, dict(SMALL, **CHANGED)
    else:
        table, dept_cells, unit_cells = {"id": "T10", "note": "本表无数据"}, TINY, TINY
    return {
        "format": "budgetkit-budget", "version": 1, "fiscal_year": 2024,
        "department": {"name": dept}, "money_unit": "万元", "unit_mult": 4, "precision": 2,
        "units": [{"id": "dept", "name": dept, "kind": "department"},
                  {"id": "u1", "name": own, "kind": "self", "parent": "dept"}],
        "tables": [dict(table, layout="shenzhen", rows=[
            {"kind": "unit", "unit": "dept", "name": dept, "cells": dept_cells},
            {"kind": "unit", "unit": "u1", "name": own, "cells": unit_cells}])],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=200000)
    ap.add_argument("--departments", type=int, default=0)
    ap.add_argument("--shape", choices=("small", "tiny"), default="small")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    out = sys.stdout if a.output == "-" else open(a.output, "w", encoding="utf-8")
    for i in range(a.documents):
        out.write(json.dumps(document(i, a.departments, a.shape), ensure_ascii=False,
                             separators=(",", ":")))
        out.write("\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
