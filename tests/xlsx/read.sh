#!/usr/bin/env bash
# Reading workbooks: the sample budget kept as a finance office keeps it (one sheet per table,
# merged headers, sums with binary noise, codes typed as numbers, a percent format, a hidden
# sheet) and stacked on one sheet converts with every figure of samples/dapeng-2024/budget.json
# (the narrative is not in those workbooks), and so does the same as an Excel 97-2003 .xls
# and as LibreOffice saves it (.xlsx and .xls); damaged .xls copies are refused without a crash; a hand-made workbook with rich text, inline
# strings, formulas and cells without references reads exactly as the same table in CSV; the
# official templates of another district are read without a crash and their tables reported.
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
data="$BK_SOURCE_DIR/tests/xlsx/data"
sample="$BK_SOURCE_DIR/samples/dapeng-2024"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

same_figures() { # JSON A, JSON B: equal documents once the narrative is set aside
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("narrative", None)
if a != b:
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            print("differs in", key)
    sys.exit(1)
PY
}

# BOOK (in tests/xlsx/data) holds the sample's tables as a finance office keeps them: found by
# probing (no --from, not taken for a budgetkit archive), read into OUT with every figure of the
# sample as its cell shows it, the hidden sheet left out with a warning.
reads_as_office() {
    local book=$1 out=$2
    "$BK" convert "$data/$book" "$out" 2> "$out.err" || fail "$book: $(cat "$out.err")"
    grep -qF 'sheet "底稿" is hidden and was not read' "$out.err" ||
        fail "$book: no warning about the hidden sheet: $(cat "$out.err")"
    same_figures "$out" "$sample/budget.json" || fail "$book: figures differ"
    grep -q '"3088.83"' "$out" || fail "$book: 3088.829999999999 did not read as 3088.83"
}
reads_as_office office.xlsx "$work/office.json"

"$BK" convert --from xlsx "$data/stacked.xlsx" "$work/stacked.json" ||
    fail "stacked.xlsx was refused"
same_figures "$work/stacked.json" "$sample/budget.json" || fail "stacked.xlsx: figures differ"

"$BK" convert "$data/handmade.xlsx" "$work/handmade.json" || fail "handmade.xlsx was refused"
"$BK" convert "$sample/wide/T07.csv" "$work/t07.json"
cmp -s "$work/handmade.json" "$work/t07.json" ||
    fail "handmade.xlsx does not read as T07.csv: $(diff "$work/handmade.json" "$work/t07.json" | head -5)"

# The same workbook as an Excel 97-2003 file (.xls): the figures as their formats show them
# (3088.829999999999 with 0.00, the change rates of Table 5 as percents, 332.00 kept apart
# from 332), the hidden sheet left out; from a file and from standard input alike.
reads_as_office office.xls "$work/xls.json"
"$BK" convert --from xlsx - "$work/xls-stdin.json" < "$data/office.xls" 2> /dev/null ||
    fail "office.xls from standard input was refused"
cmp -s "$work/xls.json" "$work/xls-stdin.json" || fail "office.xls reads differently from standard input"

# The office workbook as LibreOffice Calc saves it, .xlsx and .xls: its own styles, number
# format ids and shared strings, the same figures.
reads_as_office libreoffice.xlsx "$work/lo-xlsx.json"
reads_as_office libreoffice.xls "$work/lo-xls.json"

# max-string bounds each shared string, not all of them together: LibreOffice's workbook keeps
# about 15 KB of texts in its shared strings, the longest 1.2 KB.
"$BK" convert --limit max-string=4000 "$data/libreoffice.xlsx" "$work/lo-limit.json" 2> /dev/null ||
    fail "max-string=4000 refused libreoffice.xlsx: the shared strings were counted together"
cmp -s "$work/lo-limit.json" "$work/lo-xlsx.json" || fail "libreoffice.xlsx reads differently under max-string"
status=0
"$BK" convert --limit max-string=1000 "$data/libreoffice.xlsx" "$work/lo-short.json" 2> "$work/lo-short.err" || status=$?
[ "$status" -eq 2 ] && grep -qF 'libreoffice.xlsx: xl/sharedStrings.xml: a text near line 2 is longer than 1000 bytes (max-string)' "$work/lo-short.err" ||
    fail "a shared string over max-string: exit $status: $(cat "$work/lo-short.err")"

# The official templates saved as .xls read to the same document as the .xlsx they came from:
# 17 and 16 sheets: cover, narrative sheets, merged header blocks, placeholders.
for t in department unit; do
    "$BK" convert "$data/putuo-2026-$t-template.xlsx" "$work/$t-xlsx.json" 2> /dev/null ||
        fail "the $t template (.xlsx) is refused"
    "$BK" convert "$data/putuo-2026-$t-template.xls" "$work/$t-xls.json" 2> "$work/$t.err" ||
        fail "the $t template (.xls) is refused: $(cat "$work/$t.err")"
    cmp -s "$work/$t-xlsx.json" "$work/$t-xls.json" ||
        fail "the $t template reads differently as .xls: $(diff "$work/$t-xlsx.json" "$work/$t-xls.json" | head -5)"
done

# A metadata sheet 属性 from elsewhere: an unknown property is skipped with a warning naming the
# sheet and row; a licence that is no SPDX identifier refuses the workbook, naming the file.
/usr/bin/python3 - "$data/office.xlsx" "$work/meta.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.create_sheet("属性")
for row in (["项目", "值"], ["许可协议", "bad licence!"], ["联系人", "张三"]):
    ws.append(row)
wb.save(sys.argv[2])
PY
status=0
"$BK" convert "$work/meta.xlsx" "$work/meta.json" 2> "$work/meta.err" || status=$?
[ "$status" -eq 2 ] || fail "a bad licence in 属性: exit status $status"
grep -qF 'sheet "属性" row 3: "联系人" is not a property budgetkit knows' "$work/meta.err" ||
    fail "no warning on an unknown property: $(cat "$work/meta.err")"
grep -qF 'meta.xlsx: license "bad licence!" is not an SPDX licence identifier' "$work/meta.err" ||
    fail "a bad licence in 属性: $(cat "$work/meta.err")"
[ ! -e "$work/meta.json" ] || fail "output written for a refused workbook"

# Damaged .xls files: cut short, bytes overwritten, sector numbers broken. Each is read or
# refused with exit 2 and a message naming the file, never a crash and never an output on
# failure, even where the library underneath stops on the file (it runs in a child process).
python3 - "$data/office.xls" "$work/bad" <<'PY'
import os, random, sys
src = open(sys.argv[1], "rb").read()
os.makedirs(sys.argv[2])
rnd = random.Random(11)
for i in range(60):
    b = bytearray(src)
    if i % 3 == 0:
        for _ in range(rnd.randint(1, 20)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
    elif i % 3 == 1:
        b = b[:rnd.randrange(8, len(b))]
    else:
        p = rnd.randrange(512, len(b) - 8)
        b[p:p + 4] = rnd.choice([b"\xff\xff\xff\xff", b"\0\0\0\0", b"\xfe\xff\xff\xff"])
    open(os.path.join(sys.argv[2], "bad%02d.xls" % i), "wb").write(bytes(b))
PY
refused=0
for f in "$work"/bad/*.xls; do
    status=0
    rm -f "$work/bad.json"
    "$BK" convert "$f" "$work/bad.json" 2> "$work/bad.err" || status=$?
    case $status in
    0) [ -s "$work/bad.json" ] || fail "$(basename "$f"): success without output" ;;
    2)
        refused=$((refused + 1))
        grep -qF "$(basename "$f")" "$work/bad.err" || fail "$(basename "$f"): the message does not name the file: $(cat "$work/bad.err")"
        [ ! -e "$work/bad.json" ] || fail "$(basename "$f"): output written on failure"
        ;;
    *) fail "$(basename "$f"): exit status $status: $(cat "$work/bad.err")" ;;
    esac
done
[ "$refused" -gt 20 ] || fail "only $refused of 60 damaged .xls files were refused"
head -c 20000 "$data/office.xls" > "$work/cut.xls"
status=0
"$BK" convert "$work/cut.xls" "$work/cut.json" 2> "$work/cut.err" || status=$?
[ "$status" -eq 2 ] && grep -qF 'cut.xls: cannot open the workbook: the file is damaged' "$work/cut.err" ||
    fail "a cut .xls: exit $status: $(cat "$work/cut.err")"

# budgetkit's own archives still go to the archive reader.
"$BK" convert "$sample/budget.zip" "$work/archive.json" || fail "budget.zip no longer reads"

# The official templates: read to the end, every sheet; until their layout family is known
# the first table the Shanghai layouts cannot place (the workbooks hold placeholders, and a
# unit line inside the header block) is reported by file and place. Never a crash, never an output
# on failure.
for book in "$data"/putuo-2026-*.xlsx; do
    status=0
    rm -f "$work/t.json"
    "$BK" convert "$book" "$work/t.json" 2> "$work/t.err" || status=$?
    name=$(basename "$book")
    if [ "$status" -eq 0 ]; then
        [ -s "$work/t.json" ] || fail "$name: success without output"
    else
        [ "$status" -eq 2 ] || fail "$name: exit status $status: $(cat "$work/t.err")"
        grep -qF "$name" "$work/t.err" || fail "$name: the message does not name the file"
        grep -qE 'unknown table|does not match|placeholder|XX|is not a number|beyond the table' "$work/t.err" ||
            fail "$name: unexpected message: $(cat "$work/t.err")"
        [ ! -e "$work/t.json" ] || fail "$name: output written on failure"
    fi
done
# A table ends with its sheet: the department template's empty 三公 table is not continued by
# the title of the narrative sheet after it, and messages name the sheet and its row.
"$BK" convert "$data/putuo-2026-department-template.xlsx" "$work/dept.json" 2> "$work/t.err" ||
    fail "the department template is refused: $(cat "$work/t.err")"
grep -qF 'putuo-2026-department-template.xlsx#其他相关情况说明:1: warning' "$work/t.err" ||
    fail "the narrative sheet is not named with its row: $(cat "$work/t.err")"
# Its tables leave 编制部门： blank beside 单位：元: the department is the cover's 预算主管部门
# (a placeholder), never the unit line; its elided rows ("…" under 类) and the 合计 label in the
# 类 column are no codes, so the template validates without errors.
"$BK" info --lang en "$work/dept.json" > "$work/info"
grep -q '^department   上海市普陀区XX局$' "$work/info" || fail "department: $(cat "$work/info")"
! grep -q '单位' "$work/info" || fail "a unit line read as a name: $(cat "$work/info")"
"$BK" validate --lang en "$work/dept.json" > "$work/rep" || true
tail -1 "$work/rep" | grep -q ' 0 errors' || fail "the template has errors: $(cat "$work/rep")"
# The unit template's 财务收支预算总表 splits its 支出 预算数 into 合计, 基本支出 (人员经费, 公用经费)
# and 项目支出: SH01's optional 支出 columns, so it reads as SH01 with no warning, as does its
# 财政拨款收支预算总表 (SH04, sides with their own columns); the workbook converts, its
# department the cover's 预算单位.
"$BK" convert "$data/putuo-2026-unit-template.xlsx" "$work/unit.json" 2> "$work/t.err" ||
    fail "the unit template is refused: $(cat "$work/t.err")"
! grep -q '财务收支预算总表\|财政拨款收支预算总表' "$work/t.err" ||
    fail "a warning on the unit 财务收支预算总表 or 财政拨款收支预算总表: $(cat "$work/t.err")"
python3 -c 'import json, sys; ids = [t["id"] for t in json.load(open(sys.argv[1], encoding="utf-8"))["tables"]]; sys.exit(0 if {"SH01", "SH04"} <= set(ids) else 1)' "$work/unit.json" ||
    fail "the unit template lacks SH01 or SH04"
"$BK" info --lang en "$work/unit.json" | grep -q '^department   上海市普陀区XX单位$' ||
    fail "unit template department: $("$BK" info --lang en "$work/unit.json")"
echo "xlsx read: ok"
