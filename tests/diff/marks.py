#!/usr/bin/env python3
"""List the marks of a rendered differences page (its DOM as the browser built it), one a line
("SIDE TABLE ROW COLUMN CLASS"; "SIDE para TITLE NUMBER CLASS" for a paragraph), and check them
against the JSON output of the same diff: every changed cell marked on both sides and no cell
marked without a change; one script element.

usage: marks.py DOM.html DIFF.json  -> prints the marks, exits 1 on a difference."""
import json
import sys
from html.parser import HTMLParser

KINDS = ("d-changed", "d-recoded", "d-renamed", "d-added", "d-removed")


class Marks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.table = self.side = self.row = self.part = None
        self.marks = []
        self.scripts = 0
        self.in_h3 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "script":
            self.scripts += 1
        if tag == "table" and "data-table" in a:
            self.table, self.side = a["data-table"], a.get("data-side")
        if tag == "section":
            self.part = None
        if tag == "h3":
            self.in_h3 = True
        if tag == "div" and "side" in cls:
            self.side = "b" if "side-b" in cls else "a"
        if tag == "tr" and "data-row" in a:
            self.row = a["data-row"]
            for k in KINDS:
                if k in cls:
                    self.marks.append((self.side, self.table, self.row, "row", k))
        if tag == "td":
            for k in KINDS:
                if k in cls:
                    self.marks.append((self.side, self.table, self.row, a.get("data-col") or "", k))
        if tag == "p" and "para" in cls:
            for k in KINDS:
                if k in cls:
                    self.marks.append((self.side, "para", self.part, a["data-para"], k))

    def handle_endtag(self, tag):
        if tag == "h3":
            self.in_h3 = False
        if tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.in_h3:
            self.part = (self.part or "") + data


def main():
    p = Marks()
    p.feed(open(sys.argv[1], encoding="utf-8").read())
    diff = json.load(open(sys.argv[2], encoding="utf-8"))
    for m in p.marks:
        print(" ".join(m))
    ok = p.scripts == 1
    if not ok:
        print("SCRIPTS", p.scripts)
    # Every changed cell is marked on both sides (same row key and column here), nothing more.
    want = set()
    for c in diff["changes"]:
        if c["change"] in ("cell", "text"):
            for side in "ab":
                want.add((side, c["table"], c["row"], c.get("column_a", c["column"]) if side == "a" else c["column"]))
    got = {(s, t, r, col) for s, t, r, col, k in p.marks if k == "d-changed"}
    for k in sorted(want - got):
        print("NOT MARKED", *k)
        ok = False
    for k in sorted(got - want):
        print("MARKED WITHOUT A CHANGE", *k)
        ok = False
    sys.exit(0 if ok else 1)


main()
