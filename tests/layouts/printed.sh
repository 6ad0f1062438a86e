#!/usr/bin/env bash
# The seed's tables as the publication prints them (titles without the year, Table 4's
# fourteenth column, Table 12's 年度主要任务 column), in UTF-8 and GB18030: read with no option,
# every printed figure kept, the year found in the column headers. And a header block taller
# than 16 rows under a raised max-header-rows limit answers without overrunning anything.
set -uo pipefail
source "$BK_SOURCE_DIR/tests/layouts/common.sh"
src=$BK_SOURCE_DIR/samples/dapeng-2024
for enc in utf-8 gb18030; do
  python3 "$BK_SOURCE_DIR/tools/transcribe/seed_printed.py" "$src/source.txt" "$src/wide" \
    "$out/$enc" "$enc" || exit 1
  "$BK" convert "$out/$enc" "$out/$enc.json" 2>"$out/$enc.err"
  check "$enc: the printed tables convert with no option" '[ $? -eq 0 ] && [ -s "$out/$enc.json" ]'
  check "$enc: every seed figure as printed" \
    'python3 "$BK_SOURCE_DIR/tests/layouts/figures.py" "$out/$enc.json" "$BK_SOURCE_DIR/tests/data/seed-figures.tsv"'
  check "$enc: the year comes from the column headers" \
    'grep -q "\"fiscal_year\": 2024" "$out/$enc.json"'
  check "$enc: Table 4's fourteenth column is kept, with a warning naming the file" \
    'grep -q "T04.csv:[0-9]*:14: warning: table T04 .*kept as extra column extra_1" "$out/$enc.err" &&
     python3 -c "import json,sys; d=json.load(open(sys.argv[1])); t=[t for t in d[\"tables\"] if t[\"id\"]==\"T04\"][0]; sys.exit(0 if t[\"columns\"][0][\"id\"]==\"extra_1\" and all(\"extra_1\" in r[\"cells\"] for r in t[\"rows\"]) else 1)" "$out/$enc.json"'
  "$BK" convert "$out/$enc.json" "$out/$enc-again.json" 2>/dev/null
  check "$enc: the extra column round trips through JSON" 'cmp -s "$out/$enc.json" "$out/$enc-again.json"'
  "$BK" convert "$out/$enc.json" "$out/$enc-wide/" --to csv 2>/dev/null &&
    "$BK" convert "$out/$enc-wide" "$out/$enc-wide.json" 2>/dev/null
  check "$enc: and through the wide CSV tables" 'cmp -s "$out/$enc.json" "$out/$enc-wide.json"'
  "$BK" validate "$out/$enc" >"$out/$enc.report" 2>&1
  check "$enc: validating needs no option" 'grep -q "0 errors" "$out/$enc.report"'
done
# Without any year: reading and validating work, converting says what it needs.
mkdir -p "$out/noyear"
sed -e 's/2024年预算数/预算数/' "$src/wide/T07.csv" | sed -e '1s/^\xef\xbb\xbf2024年/\xef\xbb\xbf/' >"$out/noyear/T07.csv"
"$BK" validate "$out/noyear" >/dev/null 2>&1
check "no year printed: validate still runs" '[ $? -ne 2 ]'
"$BK" convert "$out/noyear" "$out/noyear.json" 2>"$out/noyear.err"
check "no year printed: convert asks for it" '[ $? -eq 2 ] && grep -q "option year=2024" "$out/noyear.err" && [ ! -e "$out/noyear.json" ]'
# A header block taller than 16 rows with max-header-rows raised to 64.
{
  echo "2024年一般公共预算支出表（按功能分类）"
  echo "预算单位,科目编码,科目名称,支出总计,基本支出,项目支出"
  echo ",,,,,"
  for i in $(seq 1 30); do echo "a$i,b,c,d,e,f"; done
} >"$out/tall.csv"
"$BK" convert --limit max-header-rows=64 "$out/tall.csv" "$out/tall.json" 2>"$out/tall.err"
status=$?
check "a 30-row header block under max-header-rows=64 answers (status $status)" '[ $status -eq 0 ] || [ $status -eq 2 ]'
echo "printed tables: $fails failed"
[ "$fails" -eq 0 ]
