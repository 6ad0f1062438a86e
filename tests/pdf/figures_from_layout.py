#!/usr/bin/env python3
"""Make the figures list of a published PDF from `pdftotext -layout` output, independently of
budgetkit's reader: on every page that prints a unit line (单位：元 / 单位：万元), each line
below it that prints an amount, as its printed tokens (cells split at runs of two or more
blanks, an amount followed by one blank and text split there), up to a 注 note. The lists under
tests/data/pdf/ were made with this and then read against the PDF by eye.

    pdftotext -layout X.pdf - | figures_from_layout.py > X.figures.tsv
"""
import re
import sys

AMOUNT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
UNIT = re.compile(r"单位[：:]\s*(万元|元)")


def tokens(line):
    out = []
    for t in re.split(r"\s{2,}", line.strip()):
        while True:
            m = re.match(r"^(\S+) (.+)$", t)
            if m and (AMOUNT.match(m.group(1)) or AMOUNT.match(m.group(2).split(" ")[0])):
                out.append(m.group(1))
                t = m.group(2)
                continue
            out.append(t)
            break
    return out


page_no = 0
on = False  # a table continues on a page that prints no unit line of its own
for page in sys.stdin.read().split("\f"):
    page_no += 1
    lines = page.split("\n")
    if any(UNIT.search(x) and "单位名称" not in x for x in lines):
        on = False
    for line in lines:
        if UNIT.search(line) and "单位名称" not in line:
            on = True
            continue
        if not on:
            continue
        s = line.strip()
        if s.startswith("注") or s.startswith("备注"):
            on = False
            continue
        t = tokens(line) if s else []
        if len(s) > 60 and "。" in s:
            on = False  # prose after the table
            continue
        if any(AMOUNT.match(x) for x in t):
            print("%d\t%s" % (page_no, "\t".join(t)))
