#!/usr/bin/env python3
"""The seed's published text read as a document against samples/dapeng-2024/budget.json.

Tables whose header survived the text extraction must be identical, cell by cell (code, name,
column, printed value). Tables whose header lost or shifted a cell in the text (T02, T04, T09)
must still hold every printed figure of the sample, as many times as printed: nothing dropped,
some under extra columns. Table 3 lost its header in the text (the sample's notes say so).

usage: seed_figures.py SAMPLE.json READ.json"""
import collections
import json
import sys

sample = {t["id"]: t for t in json.load(open(sys.argv[1], encoding="utf-8"))["tables"]}
read = {t["id"]: t for t in json.load(open(sys.argv[2], encoding="utf-8"))["tables"]}


def cells(t):
    return collections.Counter((r.get("code"), r.get("name"), k, v)
                               for r in t["rows"] for k, v in r["cells"].items())


def values(t):
    return collections.Counter(v for r in t["rows"] for v in r["cells"].values())


bad = 0
for tid in ["T01", "T05", "T06", "T07", "T08", "T12"]:
    if tid not in read or cells(sample[tid]) != cells(read[tid]):
        print("%s differs from the sample" % tid)
        bad += 1
for tid in ["T02", "T04", "T09"]:
    missing = values(sample[tid]) - values(read.get(tid, {"rows": []}))
    if missing:
        print("%s lost figures: %s" % (tid, dict(missing)))
        bad += 1
# Table 4 prints its economic rows by name alone; the text lost their indentation, so their
# levels (class 1, item 2) come from the codes Table 8 prints beside the same names. Rows,
# levels and the columns whose header the text kept must be the sample's.
t4 = read.get("T04", {"rows": []})
shape = lambda t: [(r["kind"], r["name"], r.get("level")) for r in t["rows"]]
if shape(t4) != shape(sample["T04"]):
    print("T04 rows or levels differ: %s" % shape(t4))
    bad += 1
kept = ["total", "gov", "general", "fund", "soe", "special_account"]
for a, b in zip(sample["T04"]["rows"], t4["rows"]):
    if [a["cells"].get(k) for k in kept] != [b["cells"].get(k) for k in kept]:
        print("T04 row %s differs: %s" % (a["name"], b["cells"]))
        bad += 1
n = sum(sum(values(sample[t]).values()) for t in ["T01", "T02", "T04", "T05", "T06", "T07",
                                                    "T08", "T09", "T12"])
if bad:
    sys.exit(1)
print("seed text: %d cells of Tables 1-2, 4-9 and 12 read" % n)
