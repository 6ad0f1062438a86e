#!/usr/bin/env python3
"""Split a one-unit budget (the seed) into unit budgets whose sum is the original, exactly.

Every amount of the 本级 unit is multiplied by each unit's share (shares such as 0.37, 0.41, 0.22
add up to 1): a figure printed with 2 decimals becomes one with 4, exactly, so every identity of
the budget (parents = Σ children, totals, cross-table equalities) holds in each unit as it does in
the original, and the units' figures add up to the original's. Percentages are ratios of amounts
and stay as printed. The department's own rows are left out: a unit submits its rows only.

usage: split.py BUDGET.json TEMPLATES_DIR OUT_DIR NAME:SHARE...
"""
import glob
import json
import os
import sys
from decimal import Decimal


def main():
    src, tpl_dir, out_dir = sys.argv[1:4]
    shares = [a.rsplit(":", 1) for a in sys.argv[4:]]
    assert sum(Decimal(s) for _, s in shares) == 1, "shares must add up to 1"
    types = {}
    for path in glob.glob(os.path.join(tpl_dir, "*.json")):
        t = json.load(open(path, encoding="utf-8"))
        types[t["id"]] = {c["id"]: c["type"] for c in t["columns"]}
    doc = json.load(open(src, encoding="utf-8"))
    dept = next(u for u in doc["units"] if u["kind"] == "department")
    own = next(u for u in doc["units"] if u["kind"] != "department")
    os.makedirs(out_dir, exist_ok=True)
    for i, (name, share) in enumerate(shares):
        share = Decimal(share)
        d = json.loads(json.dumps(doc))
        unit = dict(own)
        unit["name"] = name
        if i:
            unit["kind"] = "subunit"
        d["units"] = [dept, unit]
        d["precision"] = doc["precision"] + 2
        for t in d["tables"]:
            t["unit_label"] = name
            rows = []
            for r in t["rows"]:
                if r["unit"] == dept["id"]:
                    continue
                if r["kind"] == "unit":
                    r["name"] = name
                for col, v in r["cells"].items():
                    if types[t["id"]][col] == "amount":
                        x = Decimal(v) * share
                        places = max(0, -Decimal(v).as_tuple().exponent) + 2
                        r["cells"][col] = f"{x:.{places}f}"
                rows.append(r)
            t["rows"] = rows
        with open(os.path.join(out_dir, f"unit{i + 1}.json"), "w", encoding="utf-8") as f:
            json.dump(d, f, ensure_ascii=False, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
