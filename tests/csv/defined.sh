#!/usr/bin/env bash
# Line items carry what JSON does (csv-lineitems.md): a table no layout knows with its title and
# "column" records, a table in a money unit of its own. The Putuo unit budget (its 三公 table in
# 万元) with a generic table added (tests/support/with-generic-table.py) goes through line items
# and back unchanged, and every broken variant of its records is refused at the record that
# breaks it.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }
python3 "$BK_SOURCE_DIR/tests/support/with-generic-table.py" \
  "$BK_SOURCE_DIR/samples/putuo-shangwuwei-2025-unit/budget.json" "$out/made.json"
json=$out/doc.json
"$BK" convert "$out/made.json" "$json"
"$BK" convert "$json" "$out/lines.csv" && "$BK" convert "$out/lines.csv" "$out/back.json" &&
  "$BK" convert "$out/back.json" "$out/again.csv"
check "JSON → line items → JSON unchanged" 'cmp -s "$json" "$out/back.json"'
check "  and line items → JSON → line items byte for byte" 'cmp -s "$out/lines.csv" "$out/again.csv"'
check "  the generic table's title and columns are records" \
  'grep -q "^table,,generic-1,,,,,,,title,预算单位财务收支预算总表" "$out/lines.csv" &&
   grep -q "^column,,generic-1,,amount,,,,2,col_2,预算数" "$out/lines.csv"'
check "  the 三公 table's 万元 too" 'grep -q "^table,,SH09,,,,,,,money_unit,万元" "$out/lines.csv"'

# variant NAME MESSAGE PYTHON: edit the records (a list `recs` of lines) and expect MESSAGE.
variant() {
  python3 - "$out/lines.csv" "$out/$1.csv" "$3" <<'PY'
import sys
recs = open(sys.argv[1], encoding="utf-8", newline="").read().split("\r\n")
exec(sys.argv[3])
open(sys.argv[2], "w", encoding="utf-8", newline="").write("\r\n".join(recs))
PY
  local name=$1 want=$2
  "$BK" convert "$out/$name.csv" "$out/$name.json" 2>"$out/$name.err"
  check "$name: refused with \"$want\"" \
    '[ $? -eq 2 ] && grep -qF "$want" "$out/$name.err" && [ ! -e "$out/$name.json" ]'
}
first() { echo "next(i for i, r in enumerate(recs) if r.startswith('$1'))"; }
variant column-after-rows 'a "column" record of table "generic-1" comes after its rows' \
  "recs.insert($(first 'cell,dept,generic-1') + 1, 'column,,generic-1,,text,,,,1,col_9,x')"
variant column-twice 'column "col_1" is defined twice' \
  "recs = [r.replace(',col_3,', ',col_1,') if r.startswith('column,,generic-1') else r for r in recs]"
variant column-type 'column type "money" is not amount, percent or text' \
  "i = $(first 'column,,generic-1'); recs[i] = recs[i].replace(',text,', ',money,')"
variant label-level 'label level 3 of column "col_1" follows level 1' \
  "i = $(first 'column,,generic-1') + 1; recs[i] = recs[i].replace(',2,col_1,', ',3,col_1,')"
variant title-after-rows 'the title of table generic-1 comes after its rows' \
  "recs.insert($(first 'cell,dept,generic-1') + 1, 'table,,generic-1,,,,,,,title,x')"
variant no-columns 'table id "generic-1" has no template' \
  "recs = [r for r in recs if not r.startswith('column,,generic-1')]"
variant money-unit 'money unit "美元" is not 元, 千元, 万元 or 亿元' \
  "recs = [r.replace(',money_unit,万元', ',money_unit,美元') for r in recs]"
variant base-column 'column "total" is already a column of SH09' \
  "recs.insert($(first 'table,,SH09') + 1, 'column,,SH09,,amount,,,,1,total,x')"
echo "defined layouts in line items: $fails failed"
[ "$fails" -eq 0 ]
