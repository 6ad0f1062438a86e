#!/usr/bin/env bash
# Writing workbooks: every sample budget goes JSON → .xlsx → JSON byte for byte; the workbook,
# read by openpyxl, holds the published tables with amounts as numbers that display the
# printed decimals, codes as text, merged titles and headers, a frozen and repeated header and
# an A4 landscape print setup (tests/xlsx/check_written.py); the same input gives the same
# bytes twice; an .xls output is refused without leaving a file.
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
sample="$BK_SOURCE_DIR/samples/dapeng-2024"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$BK" convert "$sample/budget.json" "$work/budget.xlsx" || fail "JSON → xlsx failed"
"$BK" convert "$work/budget.xlsx" "$work/back.json" || fail "the written workbook does not read"
cmp -s "$work/back.json" "$sample/budget.json" ||
    fail "JSON → xlsx → JSON differs: $(diff "$work/back.json" "$sample/budget.json" | head -5)"

# Every bundled budget, in every layout family: Shanghai's tables print their codes in 类/款/项
# columns ("06" must stay text) and share titles with Jiangsu's (收入预算总表 is written with the
# document's own layout, not the first family's that has the title).
for other in "$BK_SOURCE_DIR"/samples/*/budget.json; do
    name=$(basename "$(dirname "$other")")
    "$BK" convert "$other" "$work/$name.xlsx" || fail "$name: JSON → xlsx failed"
    "$BK" convert "$work/$name.xlsx" "$work/$name.json" 2> "$work/$name.err" ||
        fail "$name: the written workbook does not read: $(cat "$work/$name.err")"
    cmp -s "$work/$name.json" "$other" ||
        fail "$name: JSON → xlsx → JSON differs: $(diff "$work/$name.json" "$other" | head -5)"
done

# What the tables do not print — the department's code, the publication's publisher, source
# and licence — goes into the sheet 属性 and comes back.
python3 - "$sample/budget.json" "$work/coded-in.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
doc["department"]["code"] = "312001"
json.dump(doc, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
"$BK" convert --option publisher=深圳市大鹏新区政务服务数据管理局 --option source=部门预算公开 \
    --option license=CC-BY-4.0 "$work/coded-in.json" "$work/coded.json"
grep -q '"code": "312001"' "$work/coded.json" || fail "the department code did not reach the JSON"
"$BK" convert "$work/coded.json" "$work/coded.xlsx" && "$BK" convert "$work/coded.xlsx" "$work/coded-back.json" ||
    fail "the workbook with a department code does not go through"
cmp -s "$work/coded.json" "$work/coded-back.json" ||
    fail "department code or publication lost: $(diff "$work/coded.json" "$work/coded-back.json" | head -6)"
/usr/bin/python3 - "$work/coded.xlsx" <<'PY' || fail "the sheet 属性 is not as designed"
import sys, openpyxl
rows = list(openpyxl.load_workbook(sys.argv[1])["属性"].iter_rows(values_only=True))
assert rows == [("项目", "值"), ("部门编码", "312001"), ("发布单位", "深圳市大鹏新区政务服务数据管理局"),
                ("数据来源", "部门预算公开"), ("许可协议", "CC-BY-4.0")], rows
PY

"$BK" convert "$sample/budget.json" "$work/again.xlsx"
cmp -s "$work/budget.xlsx" "$work/again.xlsx" || fail "two runs wrote different workbooks"

# From the wide CSV tables too: the same workbook apart from the narrative sheet.
"$BK" convert --to xlsx "$sample/wide/" "$work/wide.xlsx" || fail "wide CSV → xlsx failed"

if /usr/bin/python3 -c "import openpyxl" 2>/dev/null; then
    /usr/bin/python3 "$BK_SOURCE_DIR/tests/xlsx/check_written.py" "$work/budget.xlsx" \
        "$sample/wide" T05 || fail "openpyxl finds the written workbook wrong"
else
    fail "python3-openpyxl is not installed (tools/install-deps.sh)"
fi

status=0
"$BK" convert "$sample/budget.json" "$work/old.xls" 2> "$work/err" || status=$?
[ "$status" -eq 2 ] || fail ".xls output: exit status $status"
grep -qF "budgetkit writes .xlsx workbooks, not .xls" "$work/err" || fail ".xls: $(cat "$work/err")"
[ ! -e "$work/old.xls" ] || fail ".xls output left a file"
echo "xlsx write: ok"
