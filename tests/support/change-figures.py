#!/usr/bin/env python3
"""Add 7 to one figure in every EVERY-th generated budget of DIR (sorted by name), so that a
bulk holds documents whose sums no longer hold: python3 change-figures.py DIR EVERY"""
import glob
import json
import os
import sys

folder, every = sys.argv[1], int(sys.argv[2])
for i, path in enumerate(sorted(glob.glob(os.path.join(folder, "*.json")))):
    if i % every:
        continue
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    table = doc["tables"][i % len(doc["tables"])]
    for row in table["rows"]:
        figures = [k for k, v in row["cells"].items()
                   if v not in (None, "") and str(v).replace(".", "").isdigit()]
        if figures:
            row["cells"][figures[0]] = str(int(float(row["cells"][figures[0]])) + 7)
            break
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
