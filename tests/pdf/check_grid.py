#!/usr/bin/env python3
"""Check the grid a reader made (--option grid-out) against a figures list: every listed row
is a grid row with the same cells in the same order (blank cells aside), the rows in the
list's order, and the grid holds no amount the list does not: every figure once.

    check_grid.py GRID.csv FIGURES.tsv
"""
import csv
import re
import sys

AMOUNT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
grid = [[c for c in row if c.strip()] for row in csv.reader(open(sys.argv[1], encoding="utf-8"))]
want = [line.rstrip("\n").split("\t") for line in open(sys.argv[2], encoding="utf-8")]
at, bad = 0, 0
for w in want:
    page, cells = w[0], w[1:]
    k = at
    while k < len(grid) and grid[k] != cells:
        k += 1
    if k == len(grid):
        print("page %s: no grid row reads %s" % (page, " | ".join(cells)))
        bad += 1
    else:
        at = k + 1
listed = sum(1 for w in want for c in w[1:] if AMOUNT.match(c))
found = sum(1 for row in grid for c in row if AMOUNT.match(c))
if listed != found:
    print("the grid holds %d amounts, the list %d" % (found, listed))
    bad += 1
print("%s: %d rows, %d amounts; %d problems" % (sys.argv[2], len(want), listed, bad))
sys.exit(1 if bad else 0)
