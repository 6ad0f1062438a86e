#!/usr/bin/env python3
"""Change one figure of every unit row of a JSON budget in its last printed digit (to 1, or to
2 where it was 1), so that a department consolidated before no longer equals the sum of its
units: python3 change-unit-figure.py BUDGET.json"""
import json
import sys

p = sys.argv[1]
d = json.load(open(p, encoding="utf-8"))
for t in d["tables"]:
    for r in t["rows"]:
        if r["kind"] == "unit":
            for k, v in r["cells"].items():
                if v not in (None, "") and "." in str(v):
                    r["cells"][k] = str(v)[:-1] + ("1" if str(v)[-1] != "1" else "2")
                    break
json.dump(d, open(p, "w", encoding="utf-8"), ensure_ascii=False, indent=2)
