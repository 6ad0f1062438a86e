#!/usr/bin/env python3
"""Check that printed figures sit in the declared cells of a document read from a PDF: each line
of CELLS.tsv is `table<TAB>row<TAB>column<TAB>value`, where row is a code, a printed name
(`section:name` on a two-sided table) or `#N` (the N-th row, from 1), and value is the printed
figure or `-` for a cell printed blank. The tables listed must be declared (not generic), and
no generic table may be left but those named with `generic<TAB>TITLE`.

usage: check_cells.py DOCUMENT.json CELLS.tsv"""
import json
import sys


def norm(s):
    s = s.replace(",", "")
    return s.rstrip("0").rstrip(".") if "." in s else s


doc = json.load(open(sys.argv[1], encoding="utf-8"))
tables = {t["id"]: t for t in doc["tables"]}
bad, checked, generic_ok = 0, 0, set()
for line in open(sys.argv[2], encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    f = line.split("\t")
    if f[0] == "generic":
        generic_ok.add(f[1])
        continue
    tid, sel, col, want = f
    t = tables.get(tid)
    if t is None:
        print("%s: no table %s" % (sys.argv[2], tid))
        bad += 1
        continue
    rows = t["rows"]
    if sel.startswith("#"):
        hits = rows[int(sel[1:]) - 1:int(sel[1:])]
    elif ":" in sel:
        section, name = sel.split(":", 1)
        hits = [r for r in rows if r.get("section") == section and r.get("name") == name]
    else:
        hits = [r for r in rows if r.get("code") == sel] or [r for r in rows if r.get("name") == sel]
    if len(hits) != 1:
        print("%s %s: %d rows match" % (tid, sel, len(hits)))
        bad += 1
        continue
    got = hits[0]["cells"].get(col)
    if (want == "-" and got is not None) or (want != "-" and (got is None or norm(got) != norm(want))):
        print("%s %s %s: %s, printed %s" % (tid, sel, col, got, want))
        bad += 1
    checked += 1
for t in doc["tables"]:
    if t["id"].startswith("generic-") and t.get("title") not in generic_ok:
        print("table %s (%s) is generic" % (t["id"], t.get("title")))
        bad += 1
print("%s: %d cells checked, %d problems" % (sys.argv[2], checked, bad))
sys.exit(1 if bad else 0)
