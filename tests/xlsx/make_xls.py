#!/usr/bin/python3
"""The sample budget as an Excel 97-2003 workbook (.xls), made with xlwt from the published tables
(samples/dapeng-2024/wide/*.csv), as an agency still on the old format keeps it:

  office.xls  one sheet per table: title merged across, merged header blocks, amounts as numbers
              with their printed formats and a spreadsheet's binary noise (3088.829999999999),
              codes typed as numbers, the change rates of Table 5 as percents, and a hidden
              scratch sheet.

Run from the source tree: tests/xlsx/make_xls.py OUTDIR. The file is committed in
tests/xlsx/data/; the script is how it was made and can make it again. The table walking is
make_workbooks.py's."""
import os
import sys

import xlwt

from make_workbooks import AMOUNT, CODE, header_block, merges, noisy, percent_columns, tables


def style(fmt, cache={}):
    if fmt not in cache:
        cache[fmt] = xlwt.easyxf(num_format_str=fmt)
    return cache[fmt]


def put_table(ws, rows, percent_cols):
    width = max(len(r) for r in rows)
    h0, h1 = header_block(rows)
    merged = set()
    for i, i2, j, j2 in merges(rows, width, h0, h1):
        ws.write_merge(i, i2, j, j2, rows[i][j])
        merged.update((u, v) for u in range(i, i2 + 1) for v in range(j, j2 + 1))
    k = 0
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            if text == "" or (i, j) in merged:
                continue
            body = h1 <= i and not text.startswith("备注")
            if body and CODE.match(text) and j in (1, 0):
                ws.write(i, j, int(text))  # a code typed as a number
            elif body and AMOUNT.match(text):
                k += 1
                dec = text.split(".")[1] if "." in text else ""
                places = "." + "0" * len(dec) if dec else ""
                if j in percent_cols:
                    ws.write(i, j, noisy(text, k) / 100, style("0" + places + "%"))
                elif text == "3,088.83":
                    ws.write(i, j, 3088.829999999999, style("0.00"))
                else:
                    grouped = "#,##0" if "," in text or k % 2 else "0"
                    ws.write(i, j, noisy(text, k), style(grouped + places))
            else:
                ws.write(i, j, text)
    for j in range(width):
        ws.col(j).width = 14 * 256


def main():
    src = os.path.join(os.path.dirname(__file__), "..", "..", "samples", "dapeng-2024", "wide")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in tables(src):
        put_table(wb.add_sheet(name), rows, percent_columns(name, rows))
    scratch = wb.add_sheet("底稿")
    scratch.write(0, 0, "核对用，不打印")
    scratch.write(1, 0, 12345.678)
    scratch.visibility = 1  # hidden
    wb.save(os.path.join(out, "office.xls"))


if __name__ == "__main__":
    main()
