#!/usr/bin/env python3
"""Compare the cells a rendered HTML report marks (its DOM as the browser built it) with the
cells the JSON report's findings name: exactly the same set, each with its severity.

usage: marked.py DOM.html REPORT.json  -> prints the marked cells, exits 1 on a difference."""
import json
import sys
from html.parser import HTMLParser


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.doc = -1
        self.table = None
        self.row = None
        self.marked = set()
        self.severity = {}
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "details" and "doc" in (a.get("class") or "").split():
            self.doc += 1
        if tag == "table" and "data-table" in a:
            self.table = a["data-table"]
        if tag == "tr" and "data-row" in a:
            self.row = a["data-row"]
        if tag == "td":
            cls = (a.get("class") or "").split()
            if "mark" in cls:
                key = (self.doc, self.table, self.row, a.get("data-col") or "")
                self.marked.add(key)
                self.severity[key] = [c[2:] for c in cls if c.startswith("f-") and c != "f-explain"][0]


def main():
    dom, report = sys.argv[1], sys.argv[2]
    p = Cells()
    p.feed(open(dom, encoding="utf-8").read())
    rep = json.load(open(report, encoding="utf-8"))
    docs = []
    want = {}
    rank = {"error": 3, "warning": 2, "rounding": 1, "info": 0}
    for f in rep["findings"]:
        loc = f["location"]
        if loc["document"] not in docs:
            docs.append(loc["document"])
        if not loc.get("table") or not loc.get("row"):
            continue
        key = (docs.index(loc["document"]), loc["table"], loc["row"], loc.get("column") or "")
        if key not in want or rank[f["severity"]] > rank[want[key]]:
            want[key] = f["severity"]
    for k in sorted(p.marked, key=str):
        print("marked", k, p.severity[k])
    ok = True
    for k in set(want) - p.marked:
        print("NOT MARKED", k, want[k])
        ok = False
    for k in p.marked - set(want):
        print("MARKED WITHOUT A FINDING", k)
        ok = False
    for k in set(want) & p.marked:
        if want[k] != p.severity[k]:
            print("WRONG SEVERITY", k, p.severity[k], "want", want[k])
            ok = False
    print("scripts", p.scripts)
    if p.scripts != 1:
        ok = False
    sys.exit(0 if ok else 1)


main()
