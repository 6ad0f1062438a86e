#!/usr/bin/env python3
"""Every figure of a figures list (made from pdftotext -layout, independently of budgetkit)
is in the document budgetkit read from the PDF: as many times as printed, as an exact decimal.

usage: check_document.py DOCUMENT.json FIGURES.tsv"""
import collections
import json
import re
import sys

AMOUNT = re.compile(r"^-?[0-9][0-9,]*\.[0-9]+$|^-?[0-9]{1,3}(,[0-9]{3})+$")


def norm(s):
    s = s.replace(",", "")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


doc = json.load(open(sys.argv[1], encoding="utf-8"))
have = collections.Counter()
for t in doc["tables"]:
    for r in t["rows"]:
        for v in r["cells"].values():
            if isinstance(v, str) and re.match(r"^-?[0-9][0-9,]*(\.[0-9]+)?$", v):
                have[norm(v)] += 1
want = collections.Counter()
with open(sys.argv[2], encoding="utf-8") as f:
    for line in f:
        for field in line.rstrip("\n").split("\t")[1:]:
            if AMOUNT.match(field.strip()):
                want[norm(field.strip())] += 1
missing = want - have
if missing:
    print("%s: %d printed figures are not in the document: %s" % (
        sys.argv[1], sum(missing.values()), ", ".join(sorted(missing)[:10])))
    sys.exit(1)
print("%s: all %d printed figures read" % (sys.argv[2], sum(want.values())))
