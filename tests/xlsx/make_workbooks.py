#!/usr/bin/python3
"""Workbooks as finance offices keep the sample budget, made with openpyxl from the published
tables (samples/dapeng-2024/wide/*.csv):

  office.xlsx   one sheet per table: title merged across, merged header blocks, amounts as
                numbers carrying a spreadsheet's binary noise (3088.829999999999 shown with
                0.00), codes typed as numbers, 332 and 332.00 kept apart by their formats,
                the change-rate column of Table 5 as a percent format, a hidden scratch sheet.
  stacked.xlsx  every table on one sheet, a blank row between them, as budget systems export.
  handmade.xlsx Table 7 written part by part, with what openpyxl never writes: a rich-text
                title with a phonetic guide, shared and inline strings side by side, sums as
                formulas with their stored values, a formula giving text, cells and rows
                without references, built-in and custom number formats.

Run from the source tree: tests/xlsx/make_workbooks.py OUTDIR. The files are committed in
tests/xlsx/data/; the script is how they were made and can make them again."""
import csv
import decimal
import os
import re
import sys
import zipfile
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.utils import get_column_letter

AMOUNT = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?$")
CODE = re.compile(r"^[0-9]{3,7}$")


def tables(folder):
    for name in sorted(os.listdir(folder)):
        if name.endswith(".csv"):
            with open(os.path.join(folder, name), encoding="utf-8-sig", newline="") as f:
                yield name[:-4], list(csv.reader(f))


def header_block(rows):
    """Rows of the header: after the 单位 line, up to the first row with an amount."""
    start = next(i for i, r in enumerate(rows) if r[0].startswith("单位:")) + 1
    end = start
    while end < len(rows) and not any(AMOUNT.match(c) and "," not in c[:1] for c in rows[end][1:]
                                      if c):
        end += 1
    return start, end


def cell_text(row, j):
    return row[j] if j < len(row) else ""


def noisy(text, k):
    """The double a spreadsheet sum leaves: the decimal give or take a trillionth."""
    d = decimal.Decimal(text.replace(",", ""))
    if k % 3 == 0:
        return float(d - decimal.Decimal("0.000000000001"))
    if k % 3 == 1:
        return float(d + decimal.Decimal("0.000000000001"))
    return float(d)


def merges(rows, width, h0, h1):
    """The merged ranges of a table as printed, (first row, last row, first column, last
    column), 0-based: the title, unit lines and footer across the table; in the header block a
    group label spans the empty cells to its right that have labels below, and runs down over
    empty cells when it spans nothing."""
    for i, row in enumerate(rows):
        filled = [j for j, c in enumerate(row) if c]
        if len(filled) == 1 and filled[0] == 0 and (i < h0 or row[0].startswith("备注")):
            yield i, i, 0, width - 1
    taken = set()
    for i in range(h0, h1):
        row = rows[i]
        for j, text in enumerate(row):
            if not text or (i, j) in taken:
                continue
            j2 = j
            while (j2 + 1 < width and not cell_text(row, j2 + 1)
                   and any(cell_text(rows[u], j2 + 1) for u in range(i + 1, h1))):
                j2 += 1
            i2 = i
            if j2 == j:
                while i2 + 1 < h1 and not cell_text(rows[i2 + 1], j):
                    i2 += 1
            if j2 > j or i2 > i:
                taken.update((u, v) for u in range(i, i2 + 1) for v in range(j, j2 + 1))
                yield i, i2, j, j2


def put_table(ws, rows, top, name, percent_cols):
    """Write one table from row `top`; returns the next free row."""
    width = max(len(r) for r in rows)
    h0, h1 = header_block(rows)
    k = 0
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            if text == "":
                continue
            cell = ws.cell(row=top + i, column=j + 1)
            body = h1 <= i and not text.startswith("备注")
            if body and CODE.match(text) and j in (1, 0):
                cell.value = int(text)  # a code typed as a number
            elif body and AMOUNT.match(text):
                k += 1
                dec = text.split(".")[1] if "." in text else ""
                if j in percent_cols:
                    cell.value = noisy(text, k) / 100
                    cell.number_format = "0." + "0" * len(dec) + "%" if dec else "0%"
                elif text == "3,088.83":
                    # The sum a spreadsheet keeps for the 2023 adjusted budget.
                    cell.value = 3088.829999999999
                    cell.number_format = "0.00"
                else:
                    cell.value = noisy(text, k)
                    grouped = "#,##0" if "," in text or k % 2 else "0"
                    fmt = grouped + ("." + "0" * len(dec) if dec else "")
                    if k % 5 == 0:
                        fmt += "_ "
                    if k % 7 == 0:
                        fmt = fmt + ";[Red]-" + fmt
                    cell.number_format = fmt
            else:
                cell.value = text
    for i, i2, j, j2 in merges(rows, width, h0, h1):
        ws.merge_cells(start_row=top + i, start_column=j + 1, end_row=top + i2,
                       end_column=j2 + 1)
    for j in range(width):
        ws.column_dimensions[get_column_letter(j + 1)].width = 14
    return top + len(rows) + 1


def percent_columns(name, rows):
    if name != "T05":
        return set()
    h0, h1 = header_block(rows)
    return {j for i in range(h0, h1) for j, c in enumerate(rows[i]) if c.startswith("增减幅")}


def handmade(rows, path):
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    strings = []

    def shared(text):
        strings.append("<si><t>%s</t></si>" % escape(text))
        return len(strings) - 1

    title = rows[0][0]
    strings.append('<si><r><rPr><b/><sz val="16"/></rPr><t>%s</t></r><r><t>%s</t></r>'
                   '<rPh sb="0" eb="2"><t>ヨサン</t></rPh><phoneticPr fontId="1"/></si>'
                   % (escape(title[:5]), escape(title[5:])))
    h0, h1 = header_block(rows)
    out = ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']
    for i in range(1, len(rows)):
        row = rows[i]
        cells = []
        for j, text in enumerate(row):
            if not text:
                continue
            ref = ' r="%s%d"' % (get_column_letter(j + 1), i + 1) if j % 2 == 0 else ""
            if i < h0 or text.startswith("备注"):
                cells.append('<c%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                             % (ref, escape(text)))
            elif i >= h1 and CODE.match(text):
                cells.append("<c%s><v>%s</v></c>" % (ref, text))
            elif i >= h1 and AMOUNT.match(text):
                v = text.replace(",", "")
                style = 1 if "," in text else (2 if i % 2 else 3)
                f = "<f>SUM(X%d:Y%d)</f>" % (i, i) if j == 3 else ""
                cells.append('<c%s s="%d">%s<v>%s</v></c>' % (ref, style, f, v))
            elif i >= h1 and text == "行政运行":
                cells.append('<c%s t="str"><f>"行政"&amp;"运行"</f><v>行政运行</v></c>' % ref)
            else:
                cells.append('<c%s t="s"><v>%d</v></c>' % (ref, shared(text)))
            # A cell without a reference must follow the one before it directly.
            if not ref and (j == 0 or not row[j - 1]):
                cells[-1] = cells[-1].replace("<c", '<c r="%s%d"' % (get_column_letter(j + 1),
                                                                     i + 1), 1)
        attr = ' r="%d"' % (i + 1) if i % 3 else ""
        if not attr and (i == 0 or not any(rows[i - 1])):
            attr = ' r="%d"' % (i + 1)
        out.append("<row%s>%s</row>" % (attr, "".join(cells)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
                   'ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="r1" Type="%sofficeDocument" '
                   'Target="/xl/workbook.xml"/></Relationships>' % rel)
        z.writestr("xl/workbook.xml",
                   '<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                   'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships"><x:workbookPr/><x:sheets><x:sheet name="表7" sheetId="1" '
                   'r:id="s1"/></x:sheets></x:workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="s1" Type="%sworksheet" '
                   'Target="sheets/../worksheets/t7.xml"/><Relationship Id="s2" '
                   'Type="%ssharedStrings" Target="strings.xml"/><Relationship Id="s3" '
                   'Type="%sstyles" Target="/xl/styles.xml"/></Relationships>'
                   % (rel, rel, rel))
        z.writestr("xl/worksheets/t7.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet %s>'
                   '<dimension ref="A1:F%d"/><sheetData>%s</sheetData><mergeCells count="1">'
                   '<mergeCell ref="A1:F1"/></mergeCells></worksheet>'
                   % (ns, len(rows), "\n".join(out)))
        z.writestr("xl/strings.xml", '<sst %s count="%d">%s</sst>'
                   % (ns, len(strings), "\n  ".join(strings)))
        z.writestr("xl/styles.xml",
                   '<styleSheet %s><numFmts count="1"><numFmt numFmtId="164" formatCode='
                   '"#,##0.00_);[Red]\\(#,##0.00\\)"/></numFmts><cellXfs count="4">'
                   '<xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="4"/><xf numFmtId="2"/>'
                   '</cellXfs></styleSheet>' % ns)


def main():
    src = os.path.join(os.path.dirname(__file__), "..", "..", "samples", "dapeng-2024", "wide")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    all_tables = list(tables(src))

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in all_tables:
        put_table(wb.create_sheet(name), rows, 1, name, percent_columns(name, rows))
    scratch = wb.create_sheet("底稿")
    scratch["A1"] = "核对用，不打印"
    scratch.sheet_state = "hidden"
    wb.save(os.path.join(out, "office.xlsx"))

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "预算报表"
    top = 1
    for name, rows in all_tables:
        top = put_table(ws, rows, top, name, set())
    wb.save(os.path.join(out, "stacked.xlsx"))

    handmade(dict(all_tables)["T07"], os.path.join(out, "handmade.xlsx"))


if __name__ == "__main__":
    main()
