#!/usr/bin/env bash
# Reading workbooks: the sample budget kept as a finance office keeps it (one sheet per table,
# merged headers, sums with binary noise, codes typed as numbers, a percent format, a hidden
# sheet) and stacked on one sheet converts with every figure of samples/dapeng-2024/budget.json
# (the narrative is not in those workbooks); a hand-made workbook with rich text, inline
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

# Found by probing (no --from), not taken for a budgetkit archive.
"$BK" convert "$data/office.xlsx" "$work/office.json" 2> "$work/office.err" ||
    fail "office.xlsx: $(cat "$work/office.err")"
grep -qF 'sheet "底稿" is hidden and was not read' "$work/office.err" ||
    fail "office.xlsx: no warning about the hidden sheet: $(cat "$work/office.err")"
same_figures "$work/office.json" "$sample/budget.json" || fail "office.xlsx: figures differ"
grep -q '"3088.83"' "$work/office.json" || fail "office.xlsx: 3088.829999999999 did not read as 3088.83"

"$BK" convert --from xlsx "$data/stacked.xlsx" "$work/stacked.json" ||
    fail "stacked.xlsx was refused"
same_figures "$work/stacked.json" "$sample/budget.json" || fail "stacked.xlsx: figures differ"

"$BK" convert "$data/handmade.xlsx" "$work/handmade.json" || fail "handmade.xlsx was refused"
"$BK" convert "$sample/wide/T07.csv" "$work/t07.json"
cmp -s "$work/handmade.json" "$work/t07.json" ||
    fail "handmade.xlsx does not read as T07.csv: $(diff "$work/handmade.json" "$work/t07.json" | head -5)"

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
# The unit template's 财务收支预算总表 splits its 支出 into 基本支出 and 项目支出, wider than
# SH01's two sides: kept as a generic table with a warning naming its sheet; the workbook
# converts, its department the cover's 预算单位.
"$BK" convert "$data/putuo-2026-unit-template.xlsx" "$work/unit.json" 2> "$work/t.err" ||
    fail "the unit template is refused: $(cat "$work/t.err")"
grep -q 'putuo-2026-unit-template.xlsx#单位收支总表:2: warning: \[layout.unknown-table\] "预算单位财务收支预算总表": its rows print field 5' "$work/t.err" ||
    fail "no warning on the unit 财务收支预算总表: $(cat "$work/t.err")"
"$BK" info --lang en "$work/unit.json" | grep -q '^department   上海市普陀区XX单位$' ||
    fail "unit template department: $("$BK" info --lang en "$work/unit.json")"
echo "xlsx read: ok"
