#!/usr/bin/env bash
# The office workbook (office.xlsx, written by openpyxl) saved again by LibreOffice Calc, as
# .xlsx and as Excel 97-2003 .xls: the cells, styles, shared strings and merges as LibreOffice
# writes them, which differ from openpyxl's and xlwt's (its own number format ids, shared
# strings for every text, SST continuation records in the .xls). And the official Putuo 2026
# templates saved as .xls, as an agency still on Excel 97-2003 exchanges them; and small.xls, a
# table of four rows whose Workbook stream is short enough (under 4096 bytes) to sit in the
# compound file's mini stream, made with xlwt (which pads its streams) and saved by LibreOffice.
#
#   tests/xlsx/make_libreoffice.sh OUTDIR      (needs soffice: Debian libreoffice-calc-nogui)
#
# The files are committed in tests/xlsx/data/ as libreoffice.xlsx, libreoffice.xls and
# putuo-2026-*-template.xls and small.xls; the script is how they were made and can make them again. The tests do not need LibreOffice.
set -euo pipefail
out=${1:?usage: tests/xlsx/make_libreoffice.sh OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/data/office.xlsx" "$work/libreoffice.xlsx"
mkdir -p "$out" "$work/out" "$work/home"
# A profile of its own, so that a LibreOffice already running or configured is not touched.
HOME=$work/home soffice --headless --norestore --convert-to 'xlsx:Calc MS Excel 2007 XML' \
    --outdir "$work/out" "$work/libreoffice.xlsx" >/dev/null
HOME=$work/home soffice --headless --norestore --convert-to 'xls:MS Excel 97' \
    --outdir "$work/out" "$work/libreoffice.xlsx" >/dev/null
for t in department unit; do
    cp "$here/data/putuo-2026-$t-template.xlsx" "$work/"
    HOME=$work/home soffice --headless --norestore --convert-to 'xls:MS Excel 97' \
        --outdir "$work/out" "$work/putuo-2026-$t-template.xlsx" >/dev/null
done
/usr/bin/python3 - "$work/small.xls" <<'PY'
import sys, xlwt
wb = xlwt.Workbook(encoding="utf-8")
ws = wb.add_sheet("T01")
for r, row in enumerate([["2024年部门收支总表"], ["单位：万元"], ["项目", "金额"]]):
    for c, text in enumerate(row):
        ws.write(r, c, text)
ws.write(3, 0, "合计")
ws.write(3, 1, 674.899999999999, xlwt.easyxf(num_format_str="0.00"))
wb.save(sys.argv[1])
PY
HOME=$work/home soffice --headless --norestore --convert-to 'xls:MS Excel 97' \
    --outdir "$work/out" "$work/small.xls" >/dev/null
cp "$work/out/libreoffice.xlsx" "$work/out/libreoffice.xls" "$work/out"/putuo-2026-*-template.xls \
    "$work/out/small.xls" "$out/"
