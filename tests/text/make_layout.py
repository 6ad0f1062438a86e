#!/usr/bin/env python3
"""Print published wide tables (CSV) as `pdftotext -layout` prints a PDF page: text columns
left-aligned, amounts right-aligned, headers centred over their cells, one character one
column, pages split by form feeds with the header printed again. Used once to make the test
data beside it; kept so the data can be made again.

    make_layout.py OUT.txt ROWS_PER_PAGE T07.csv [T08.csv ...]
"""
import csv
import sys


def amount(s):
    t = s.replace(",", "").replace("-", "", 1)
    return "." in t and t.replace(".", "", 1).isdigit()


def render(path, per_page):
    rows = list(csv.reader(open(path, encoding="utf-8-sig")))
    meta = rows[:3]
    body_at = next(i for i, r in enumerate(rows) if i > 3 and any(amount(c) for c in r))
    header = rows[3:body_at]
    body = [r for r in rows[body_at:] if any(c.strip() for c in r)]
    ncol = max(len(r) for r in rows)
    width = [0] * ncol
    for r in header + body:
        for c, v in enumerate(r):
            width[c] = max(width[c], len(v.strip()) + 4)
    x = [sum(width[:c]) for c in range(ncol)]

    def line(cells):
        out = [" "] * (sum(width) + 2)
        for c, v in enumerate(cells):
            v = v.strip()
            if not v:
                continue
            if amount(v):
                at = x[c] + width[c] - len(v)
            else:
                at = x[c]
            out[at:at + len(v)] = list(v)
        return "".join(out).rstrip()

    def head():
        out = []
        for r in header:
            cells = [" "] * (sum(width) + 2)
            for c, v in enumerate(r):
                v = v.strip()
                if not v:
                    continue
                end = c + 1  # a merged label spans the blank cells to its right in this row
                while end < ncol and (end >= len(r) or not r[end].strip()) and any(
                        h[end].strip() for h in header[header.index(r) + 1:] if end < len(h)):
                    end += 1
                span = sum(width[c:end])
                at = x[c] + max(0, (span - len(v)) // 2)
                cells[at:at + len(v)] = list(v)
            out.append("".join(cells).rstrip())
            out.append("")
        return out

    pages = []
    for p in range(0, len(body), per_page):
        lines = []
        if p == 0:
            lines.append(" " * 20 + meta[0][0].strip())
            lines.append(meta[1][0].strip() + " " * 30 + meta[2][0].strip())
            lines.append("")
        lines += head()
        for r in body[p:p + per_page]:
            lines.append(line(r))
            lines.append("")
        pages.append("\n".join(lines))
    return pages


out, per_page = sys.argv[1], int(sys.argv[2])
pages = []
for path in sys.argv[3:]:
    pages += render(path, per_page)
open(out, "w", encoding="utf-8").write("\f".join(pages) + "\n")
