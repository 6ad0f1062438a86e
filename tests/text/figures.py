#!/usr/bin/env python3
"""Compare the rows of some tables of two budget documents figure by figure: kind, unit,
code, name and every cell. Levels are not compared (text loses indentation).

    figures.py EXPECTED.json GOT.json T07 T08 ...
"""
import json
import sys

want, got = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
tables = lambda d: {t["id"]: t for t in d["tables"]}
wt, gt = tables(want), tables(got)
bad = 0
for tid in sys.argv[3:]:
    if tid not in gt:
        print(f"{tid}: missing")
        bad += 1
        continue
    a, b = wt[tid]["rows"], gt[tid]["rows"]
    if len(a) != len(b):
        print(f"{tid}: {len(b)} rows, expected {len(a)}")
        bad += 1
    figures = 0
    for i, (x, y) in enumerate(zip(a, b)):
        for key in ("kind", "unit", "code", "name", "section"):
            if x.get(key) != y.get(key):
                print(f"{tid} row {i + 1}: {key} {y.get(key)!r}, expected {x.get(key)!r}")
                bad += 1
        if x.get("cells") != y.get("cells"):
            print(f"{tid} row {i + 1}: cells {y.get('cells')}, expected {x.get('cells')}")
            bad += 1
        figures += len(x.get("cells", {}))
    print(f"{tid}: {len(a)} rows, {figures} figures compared")
sys.exit(1 if bad else 0)
