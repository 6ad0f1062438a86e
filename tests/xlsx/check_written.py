#!/usr/bin/python3
"""Read a workbook budgetkit wrote with openpyxl, an independent reader, and check it against
the published tables (the wide CSV files of the same budget, one per sheet, in order):
every amount is a number whose displayed value is the printed decimal (grouping included),
codes are text, the title and unit lines are merged across, the header block is merged with
its labels in the top-left cells, the header is frozen and repeated on printed pages, the page
is A4 landscape one page wide. Prints what openpyxl read of one sheet.

usage: check_written.py BOOK.xlsx WIDE_CSV_FOLDER [SHEET_TO_SHOW]"""
import csv
import os
import re
import sys

import openpyxl

AMOUNT = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?$")
problems = []


def bad(msg):
    problems.append(msg)


def displayed(value, fmt):
    """The text a spreadsheet shows for a number under a format like #,##0.00 or 0."""
    section = fmt.split(";")[0]
    decimals = len(section.split(".")[1]) if "." in section else 0
    text = "%.*f" % (decimals, value)
    if "," in section:
        whole, _, frac = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        whole = "{:,}".format(int(whole.lstrip("-")))
        text = sign + whole + ("." + frac if frac else "")
    return text


def main():
    book, folder = sys.argv[1], sys.argv[2]
    show = sys.argv[3] if len(sys.argv) > 3 else None
    wb = openpyxl.load_workbook(book)
    tables = sorted(f for f in os.listdir(folder) if f.endswith(".csv"))
    sheets = [ws for ws in wb.worksheets if ws.title != "说明"]
    if len(sheets) != len(tables):
        bad("%d table sheets for %d tables" % (len(sheets), len(tables)))
    numbers = texts = 0
    for ws, name in zip(sheets, tables):
        with open(os.path.join(folder, name), encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        width = max(len(r) for r in rows)
        code_cols = {j for r in rows[:8] for j, c in enumerate(r) if c == "科目编码"}
        merged = {str(m) for m in ws.merged_cells.ranges}
        last = openpyxl.utils.get_column_letter(width)
        if width > 1 and "A1:%s1" % last not in merged:
            bad("%s: the title is not merged across A1:%s1" % (ws.title, last))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                c = ws.cell(row=i + 1, column=j + 1)
                if text == "":
                    continue
                if j in code_cols and text.isdigit():
                    texts += 1
                    if c.data_type != "s" or c.value != text:
                        bad("%s!%s: code %s is %r (%s), not text" % (ws.title, c.coordinate, text,
                                                                    c.value, c.data_type))
                elif AMOUNT.match(text) and i > 2:
                    numbers += 1
                    if c.data_type != "n" or isinstance(c.value, bool):
                        bad("%s!%s: amount %s is %r, not a number" % (ws.title, c.coordinate,
                                                                     text, c.value))
                    elif displayed(c.value, c.number_format) != text:
                        bad("%s!%s: %r with format %r shows %s, printed %s"
                            % (ws.title, c.coordinate, c.value, c.number_format,
                               displayed(c.value, c.number_format), text))
                elif c.value != text:
                    bad("%s!%s: %r, printed %r" % (ws.title, c.coordinate, c.value, text))
        for m in ws.merged_cells.ranges:
            top = ws.cell(row=m.min_row, column=m.min_col).value
            if top in (None, ""):
                bad("%s: merged range %s has no value in its top-left cell" % (ws.title, m))
        headers = [m for m in ws.merged_cells.ranges if m.min_row > 1 and
                   (m.max_col > m.min_col or m.max_row > m.min_row) and m.max_col - m.min_col
                   < width - 1]
        multi = sum(1 for r in rows[1:8] if sum(1 for c in r if c) > 1 and
                    not any(AMOUNT.match(c) for c in r if c)) > 1
        if multi and not headers:
            bad("%s: a header of several rows has no merged cells" % ws.title)
        if ws.freeze_panes is None:
            bad("%s: the header is not frozen" % ws.title)
        if not ws.print_title_rows:
            bad("%s: the header rows are not repeated on printed pages" % ws.title)
        ps = ws.page_setup
        fit = ws.sheet_properties.pageSetUpPr
        # fitToWidth is 1 when left out (the schema's default).
        if (ps.orientation != "landscape" or str(ps.paperSize) != "9" or fit is None or
                not fit.fitToPage or str(ps.fitToWidth or 1) != "1" or str(ps.fitToHeight) != "0"):
            bad("%s: page setup %s, paper %s, fit %s x %s" % (ws.title, ps.orientation,
                                                              ps.paperSize, ps.fitToWidth,
                                                              ps.fitToHeight))
        if show and ws.title.startswith(show):
            print("openpyxl reads sheet %r (merged: %s; frozen at %s; print titles %s):"
                  % (ws.title, ", ".join(sorted(merged)[:8]) + (" ..." if len(merged) > 8 else ""),
                     ws.freeze_panes, ws.print_title_rows))
            for r in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 12)):
                print("  " + " | ".join(
                    "" if c.value is None else
                    ("%r[%s]" % (c.value, c.number_format) if c.data_type == "n" else str(c.value))
                    for c in r[:8]))
    if "说明" not in wb.sheetnames:
        bad("no narrative sheet")
    for p in problems[:30]:
        print("FAIL:", p)
    print("checked %d amounts and %d codes in %d sheets: %d problems"
          % (numbers, texts, len(sheets), len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
