#!/usr/bin/env python3
"""The seed budget's tables as printed, the way a user copies them into a spreadsheet and
saves each as CSV: the seed's wide tables (samples/dapeng-2024/wide) with what the publication
(samples/dapeng-2024/source.txt) prints differently put back:

- the 表N line and the title as printed, without the year (收支总表, 一般公共预算支出表 (按功能科目));
- Table 4's header as printed: 12 amount headers over 13 amount columns (the rows print 14
  fields, the header names 13);
- Table 12's merged 年度主要任务 label as a leading column (a spreadsheet exports a merged cell
  in its first row only).

usage: seed_printed.py SOURCE.txt WIDE_DIR OUTDIR [utf-8|gb18030]
"""
import csv
import io
import os
import re
import sys


def printed_titles(lines):
    """{number: (title, header rows as printed)} from the publication's text."""
    out, n, after = {}, None, 0
    for line in lines:
        m = re.fullmatch(r"表(\d+)", line.strip())
        if m:
            n, after = int(m.group(1)), 0
            continue
        if n is None or not line.strip():
            continue
        after += 1
        if after == 1:
            out[n] = [line.strip(), []]
        elif line.startswith("支出项目类别") or (out[n][1] and line.startswith("\t\t")):
            out[n][1].append(line.rstrip("\n").split("\t"))
    return out


def with_label_column(rows):
    """Table 12 as its sheet prints it: the 年度主要任务 column left of the task table."""
    out, in_tasks = [], False
    for r in rows:
        if r and r[0] == "" and len(r) > 1 and r[1] == "任务名称":
            in_tasks = True
            out.append(["年度主要任务"] + r[1:])
            continue
        if in_tasks and r and r[0] == "年度主要任务":
            r = [""] + r[1:]
        if r and r[0] != "":
            in_tasks = False
        out.append(r)
    return out


def main():
    src, wide, outdir = sys.argv[1:4]
    enc = sys.argv[4] if len(sys.argv) > 4 else "utf-8"
    with open(src, encoding="utf-8") as f:
        printed = printed_titles(f.readlines())
    os.makedirs(outdir, exist_ok=True)
    for n in range(1, 13):
        with open(os.path.join(wide, "T%02d.csv" % n), encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        # Table 3's first page is missing from the text: its title is the contents' 支出总表.
        title = printed[n][0] if n in printed else "支出总表"
        rows = [["表%d" % n], [title]] + rows[1:]
        if n == 4:
            at = next(i for i, r in enumerate(rows) if r[0] == "支出项目类别")
            rows[at:at + 2] = printed[4][1]
        if n == 12:
            rows = with_label_column(rows)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(rows)
        data = buf.getvalue().encode("gb18030" if enc == "gb18030" else "utf-8-sig")
        with open(os.path.join(outdir, "T%02d.csv" % n), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
