#!/usr/bin/env python3
"""The tables of a Shanghai Putuo district budget (部门预算 / 单位预算, 2025–2026 layout) as a
user copies them into a spreadsheet, from the text `pdftotext -layout` makes of the PDF: one CSV
per table with the header of the district's official workbook, the 类 | 款 | 项 code columns,
blank cells where the PDF prints nothing, the 注 line under an empty table. Headers repeated on
continuation pages are dropped; figures are put in the column whose printed label is nearest.

usage: pdftotext -layout budget.pdf budget.txt; putuo.py budget.txt OUTDIR
"""
import csv
import os
import re
import sys

NUM = re.compile(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?(?![\d,])")
TITLE = re.compile(r"^\s*(\d{4})年(部门|预算单位|单位)(.+表)\s*$")

FUNC_HEAD = ["类", "款", "项"]
# title suffix → (number, header rows, value labels to find in the PDF's header lines, kind)
TABLES = [
    ("财务收支预算总表", 1, None, None, "sides"),
    ("收入预算总表", 2, [["项目", "", "", "", "收入预算", "", "", "", ""],
                    ["功能分类科目编码", "", "", "功能分类科目名称", "合计", "财政拨款收入", "事业收入",
                     "事业单位经营收入", "其他收入"], FUNC_HEAD],
     ["合计", "财政拨款收入", "事业收入", "经营收入", "其他收入"], "function"),
    ("支出预算总表", 3, [["项目", "", "", "", "支出预算", "", ""],
                    ["功能分类科目编码", "", "", "功能分类科目名称", "合计", "基本支出", "项目支出"],
                    FUNC_HEAD], ["合计", "基本支出", "项目支出"], "function"),
    ("财政拨款收支预算总表", 4, None, None, "sides"),
    ("一般公共预算支出功能分类预算表", 5, "一般公共预算支出", ["合计", "基本支出", "项目支出"], "function"),
    ("政府性基金预算支出功能分类预算表", 6, "政府性基金预算支出", ["合计", "基本支出", "项目支出"],
     "function"),
    ("国有资本经营预算支出功能分类预算表", 7, "国有资本经营预算支出", ["合计", "基本支出", "项目支出"],
     "function"),
    ("一般公共预算基本支出部门预算经济分类预算表", 8, [
        ["项目", "", "", "一般公共预算基本支出", "", ""],
        ["部门预算经济分类科目编码", "", "经济分类科目名称", "合计", "人员经费", "公用经费"], ["类", "款"]],
     ["合计", "人员经费", "公用经费"], "economic"),
    ("“三公”经费和机关运行经费预算表", 9, [
        ["“三公”经费预算数", "", "", "", "", "", "机关运行经费预算数"],
        ["合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "", "", ""],
        ["", "", "", "小计", "购置费", "运行费", ""]],
     ["合计", "因公出国(境)费", "公务接待费", "小计", "购置费", "运行费", "机关运行经费"], "one-row"),
]
for i, t in enumerate(TABLES):
    if isinstance(t[2], str):
        TABLES[i] = (t[0], t[1], [["项目", "", "", "", t[2], "", ""],
                                  ["功能分类科目编码", "", "", "功能分类科目名称", "合计", "基本支出", "项目支出"],
                                  FUNC_HEAD], t[3], t[4])


def kind_of(title):
    best = None
    for t in TABLES:
        if title.endswith(t[0]) and (best is None or len(t[0]) > len(best[0])):
            best = t
    return best


def split_tables(lines):
    out, cur = [], None
    for line in lines:
        m = TITLE.match(line)
        if m and kind_of(m.group(3)):
            cur = [line.strip(), []]
            out.append(cur)
            continue
        if cur is not None:
            if line.strip() in ("其他相关情况说明",) or "情况说明" in line.strip()[:12] and not NUM.search(line):
                cur = None
                continue
            cur[1].append(line.rstrip("\n"))
    return out


def centers(line, labels):
    got = {}
    for lab in labels:
        at = line.find(lab)
        if at >= 0:
            got[lab] = at + len(lab) / 2.0
    return got


def nearest(x, cols):
    return min(cols, key=lambda k: abs(cols[k] - x))


def meta_row(lines, width):
    for line in lines:
        m = re.match(r"^\s*(编制(?:部门|单位)[：:]\S+)\s+(单位\s*[：:]\s*\S+)", line)
        if m:
            return [m.group(1)] + [""] * (width - 2) + [m.group(2)]
    return None


def coded_tables(title, lines, heads, labels, parts):
    width = len(heads[0])
    nkey = parts + 1
    rows = [[title] + [""] * (width - 1), meta_row(lines, width)] + heads
    cols = {}
    note = None
    for line in lines:
        c = centers(line, labels)
        if len(c) >= 2 or (len(labels) == 3 and len(c) >= 2):
            cols.update(c)
            continue
        s = line.strip()
        if not s:
            continue
        if s.startswith("注"):
            note = s
            continue
        m = re.match(r"^(\s*)(\d{1,3})((?:\s+\d{2})*)\s+(\S(?:.*?\S)?)(?=\s{2,}|\s*$)", line)
        total = re.match(r"^\s*(合计)(?=\s{2,}|\s*$)", line)
        if not m and not total:
            continue
        codes = [m.group(2)] + m.group(3).split() if m else []
        name = m.group(4) if m else "合计"
        rest_at = m.end() if m else total.end()
        row = codes + [""] * (parts - len(codes)) + [name] + [""] * (width - nkey)
        # The first figure is the 合计; the others by their distance from it, compared with
        # the labels' (pages after the first print no header and sit elsewhere on the line).
        found = list(NUM.finditer(line, rest_at))
        base = cols.get(labels[0], 0)
        rel = {lab: x - base for lab, x in cols.items()}
        for k, n in enumerate(found):
            lab = labels[0] if k == 0 else nearest(n.end() - found[0].end(), rel)
            row[nkey + labels.index(lab)] = n.group(0)
        rows.append(row)
    if note:
        rows.append([note] + [""] * (width - 1))
    return rows


def one_row(title, lines, heads, labels):
    width = len(heads[0])
    rows = [[title] + [""] * (width - 1), meta_row(lines, width)] + heads
    cols = {}
    for line in lines:
        cols.update(centers(line, labels))
        if NUM.search(line) and "编制" not in line:
            row = [""] * width
            for n in NUM.finditer(line):
                lab = nearest((n.start() + n.end()) / 2.0, cols)
                row[labels.index(lab)] = n.group(0)
            rows.append(row)
            break
    return rows


def sides(title, lines):
    """Two sides: each line an income item and its amount, then an expenditure item and its
    amounts; the split is where the expenditure names start."""
    data = [l for l in lines if NUM.search(l) or re.match(r"^\s*[一二三四五六七八九十]+、|^\s*\d[.、]", l)]
    data = [l for l in data if "编制" not in l]
    split = min((m.start() for l in data for m in [re.search(r"\d\s+(\S)", l)]
                 if m and not NUM.fullmatch(m.group(1))), default=40)
    first_data = next(i for i, l in enumerate(lines) if NUM.search(l) and "编制" not in l)
    heads = [l for l in lines[:first_data] if "编制" not in l]
    amount_labels = []
    for l in heads:
        for lab in ("预算数", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算",
                    "人员经费", "公用经费", "项目支出"):
            at = l.find(lab)
            while at >= 0:
                amount_labels.append((lab, at + len(lab) / 2.0))
                at = l.find(lab, at + 1)
    if len([1 for lab, x in amount_labels if x > split]) > 1:
        # 预算数 over a group of columns (合计, 基本支出 …) labels none of them.
        amount_labels = [(lab, x) for lab, x in amount_labels if not (lab == "预算数" and x > split)]
    right = sorted({x for lab, x in amount_labels if x > split})
    right_labels = [lab for lab, x in sorted(amount_labels) if x > split]
    ncol = max(1, len(right))
    width = 2 + 1 + ncol
    rows = [[title] + [""] * (width - 1), meta_row(lines, width)]
    side_words = [w for w in re.split(r"\s{2,}", next(l for l in lines if "收入" in l and "支出" in l).strip())]
    rows.append([side_words[0], "", side_words[1]] + [""] * (ncol - 1))
    rows.append(["项目", "预算数", "项目"] + ([lab for lab, x in sorted(amount_labels, key=lambda t: t[1])
                                              if x > split] if ncol > 1 else ["预算数"]))
    for l in lines:
        s = l.strip()
        if not s or "编制" in l or l in heads:
            continue
        if not (NUM.search(l) or re.match(r"^\s*([一二三四五六七八九十]+、|\d[.、]|\S+总计)", l)):
            continue
        row = [""] * width
        toks = []
        for m in re.finditer(r"\S+", l):
            num = bool(NUM.fullmatch(m.group(0)))
            if (toks and not num and not toks[-1][2] and m.start() - toks[-1][3] == 1):
                toks[-1] = (toks[-1][0], toks[-1][1] + " " + m.group(0), False, m.end())
            else:
                toks.append((m.start(), m.group(0), num, m.end()))
        for x0, text, num, _ in toks:
            if num:
                xc = x0 + len(text) / 2.0
                if x0 < split:
                    row[1] = text
                else:
                    i = min(range(len(right)), key=lambda k: abs(right[k] - xc)) if right else 0
                    row[3 + i] = text
            else:
                row[0 if x0 < split else 2] = text
        rows.append(row)
    return rows


def main():
    src, outdir = sys.argv[1:3]
    with open(src, encoding="utf-8") as f:
        found = split_tables(f.readlines())
    os.makedirs(outdir, exist_ok=True)
    for title, lines in found:
        spec = kind_of(TITLE.match(title).group(3))
        _, number, heads, labels, kind = spec
        if kind == "function":
            rows = coded_tables(title, lines, heads, labels, 3)
        elif kind == "economic":
            rows = coded_tables(title, lines, heads, labels, 2)
        elif kind == "one-row":
            rows = one_row(title, lines, heads, labels)
        else:
            rows = sides(title, lines)
        rows = [r for r in rows if r is not None]
        with open(os.path.join(outdir, "table%d.csv" % number), "w", encoding="utf-8-sig",
                  newline="") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)


if __name__ == "__main__":
    main()
