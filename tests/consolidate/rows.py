#!/usr/bin/env python3
"""Print a budget's rows of one unit kind as comparable lines: table, row key, column, value
(values normalised numerically, so that 4115.36 and 4115.3600 print alike).

usage: rows.py BUDGET.json department|self|subunit|ALL [UNITNAME]
"""
import json
import sys
from decimal import Decimal


def norm(v):
    try:
        return format(Decimal(v).normalize(), "f")
    except Exception:
        return v


doc = json.load(open(sys.argv[1], encoding="utf-8"))
want = sys.argv[2]
name = sys.argv[3] if len(sys.argv) > 3 else None
kinds = {u["id"]: u for u in doc["units"]}
for t in doc["tables"]:
    seen = {}
    for r in t["rows"]:
        u = kinds[r["unit"]]
        if want != "ALL" and u["kind"] != want:
            continue
        if name and u["name"] != name:
            continue
        key = (r["kind"], r.get("section", ""), r.get("code") or r["name"], r.get("level", 0))
        seen[key] = seen.get(key, 0) + 1
        for col, v in r["cells"].items():
            print(t["id"], r["kind"], r.get("section", ""), r.get("code") or r["name"],
                  r.get("level", 0), seen[key], col, norm(v), sep="|")
