#!/usr/bin/env bash
# Other agencies' published budgets, transcribed from the PDFs (tools/transcribe/putuo.py):
# each sample's tables/ folder reads with no option into its budget.json, with the printed
# figures listed in tests/data/NAME-figures.tsv; the JSON is valid against the schema, goes
# through the wide CSV tables and back unchanged, and validates with no error. A table no
# layout knows is kept as a generic table with the warning layout.unknown-table.
set -uo pipefail
source "$BK_SOURCE_DIR/tests/layouts/common.sh"
cd "$BK_SOURCE_DIR"
# Two lines of a wide CSV file from line $2, without the byte order mark, line ends and the
# empty fields that pad a line to the table's width.
header_rows() { sed -n "$2,$(($2 + 1))p" "$1" | sed 's/^\xEF\xBB\xBF//; s/\r$//; s/,*$//'; }
for name in putuo-caizhengju-2025-dept putuo-shangwuwei-2025-dept putuo-shangwuwei-2025-unit; do
  s=samples/$name
  "$BK" convert "$s/tables" "$out/$name.json" 2>"$out/$name.err"
  check "$name: the tables convert with no option" '[ $? -eq 0 ]'
  check "$name: into the sample's JSON" 'cmp -s "$s/budget.json" "$out/$name.json"'
  check "$name: with the printed figures" \
    'python3 tests/layouts/figures.py "$out/$name.json" "tests/data/$name-figures.tsv"'
  check "$name: the 财政拨款收支预算总表 reads as SH04, its sides with their own columns" \
    'python3 -c "import json,sys; t=[t for t in json.load(open(sys.argv[1]))[\"tables\"] if t[\"id\"]==\"SH04\"][0]; s={r[\"section\"]: set(r[\"cells\"]) for r in t[\"rows\"] if r[\"kind\"]==\"total\"}; sys.exit(0 if s=={\"income\": {\"amount\"}, \"expenditure\": {\"total\", \"general\"}} else 1)" "$out/$name.json" &&
     ! grep -q "财政拨款收支预算总表" "$out/$name.err"'
  "$BK" convert "$out/$name.json" "$out/$name-sh04/" --to csv 2>/dev/null
  check "$name: SH04 written back with the header as printed, each side its own columns" \
    '[ "$(header_rows "$out/$name-sh04/SH04.csv" 4)" = "$(header_rows "$s/tables/table4.csv" 3)" ]'
  check "$name: the 三公 table keeps its 万元" \
    'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); t=[t for t in d[\"tables\"] if t[\"id\"]==\"SH09\"][0]; sys.exit(0 if d[\"money_unit\"]==\"元\" and t[\"money_unit\"]==\"万元\" else 1)" "$out/$name.json"'
  check "$name: valid against the schema" \
    '/usr/bin/python3 tests/layouts/schema_valid.py formats/budget.schema.json "$out/$name.json"'
  "$BK" convert "$out/$name.json" "$out/$name-wide/" --to csv 2>/dev/null &&
    "$BK" convert "$out/$name-wide" "$out/$name-again.json" 2>/dev/null
  check "$name: through the wide CSV tables and back" 'cmp -s "$out/$name.json" "$out/$name-again.json"'
  "$BK" convert "$out/$name.json" "$out/$name.xml" 2>/dev/null &&
    "$BK" convert "$out/$name.xml" "$out/$name-xml.json" 2>/dev/null
  check "$name: through XML and back (generic tables, a table in 万元)" \
    'cmp -s "$out/$name.json" "$out/$name-xml.json"'
  check "$name: the XML is valid against the XSD" \
    'xmllint --noout --schema formats/budget.xsd "$out/$name.xml" 2>/dev/null'
  "$BK" validate "$s/tables" >"$out/$name.report" 2>/dev/null
  check "$name: validates with no error" 'grep -q "1 document, 0 errors" "$out/$name.report"'
done
# SH04's sum rules on a wrong figure: 支出总计's 合计 printed 1 元 too large breaks 收入总计 =
# 支出总计 (预算数 against 合计), 合计 = Σ the three budgets, and 支出总计 = Σ its rows.
cp -r samples/putuo-caizhengju-2025-dept/tables "$out/sh04-bad"
sed -i 's/^收入总计,"31,214,205.80",支出总计,"31,214,205.80"/收入总计,"31,214,205.80",支出总计,"31,214,206.80"/' \
  "$out/sh04-bad/table4.csv"
"$BK" validate --lang en "$out/sh04-bad" >"$out/sh04-bad.report" 2>/dev/null
check "SH04: a wrong 支出总计 fails validation" '[ $? -eq 1 ]'
for rule in rows-equal columns-sum rows-sum; do
  check "  caught by totals.$rule" \
    'grep -q "SH04 .*支出总计.*totals.$rule\|SH04 .*收入总计.*totals.$rule" "$out/sh04-bad.report"'
done
check "  收入总计's 预算数 compared with 支出总计's 合计" \
  'grep -q "totals.rows-equal.*收入总计 column amount: 31214205.80 printed, but row 支出总计 prints 31214206.80" "$out/sh04-bad.report"'
# Two header labels run together (as a PDF's text joins 政府性基金预算 国有资本经营预算 over
# their empty columns) stand for both columns while nothing is printed under them; a figure
# under them belongs to neither for sure, and the table is kept whole as a generic table.
printf '%s\n' '2025年预算单位财政拨款收支预算总表,,,,,' '编制单位：上海市普陀区测试单位,,,,,单位：元' \
  '财政拨款收入,,财政拨款支出,,,' '项目,预算数,项目,合计,一般公共预算,政府性基金预算国有资本经营预算' \
  '一、一般公共预算资金,"1,000.50",一、一般公共服务支出,"1,000.50","1,000.50",' \
  '收入总计,"1,000.50",支出总计,"1,000.50","1,000.50",' >"$out/joined.csv"
"$BK" convert "$out/joined.csv" "$out/joined.json" 2>"$out/joined.err"
check "labels run together over empty columns: SH04, no warning" \
  '[ $? -eq 0 ] && [ ! -s "$out/joined.err" ] && grep -q "\"id\": \"SH04\"" "$out/joined.json"'
sed -i 's/"1,000.50","1,000.50",$/"1,000.50","1,000.50",7.00/' "$out/joined.csv"
"$BK" convert "$out/joined.csv" "$out/joined.json" 2>"$out/joined.err"
check "  with a figure under them: a generic table, with a warning saying why" \
  '[ $? -eq 0 ] && grep -q "layout.unknown-table.*column 6, headed by the labels of two columns run together, prints figures" "$out/joined.err"'
# A unit's 财务收支预算总表 splits its 支出 预算数 into 合计, 基本支出 (人员经费, 公用经费) and
# 项目支出: SH01's optional 支出 columns, read under the printed header and written back with it.
printf '%s\n' '2025年预算单位财务收支预算总表,,,,,,' '编制单位：上海市普陀区测试单位,,,,,,单位：元' \
  '本年收入,,本年支出,,,,' '项目,预算数,项目,预算数,,,' ',,,合计,基本支出,,项目支出' \
  ',,,,人员经费,公用经费,' \
  '一、财政拨款收入,"1,000.50",一、一般公共服务支出,"1,000.50",600.25,100.25,300.00' \
  '收入总计,"1,000.50",支出总计,"1,000.50",600.25,100.25,300.00' >"$out/unit01.csv"
"$BK" convert "$out/unit01.csv" "$out/unit01.json" 2>"$out/unit01.err"
check "a unit's 财务收支预算总表 converts" '[ $? -eq 0 ] && [ ! -s "$out/unit01.err" ]'
check "  as SH01, every figure in its column" 'python3 - "$out/unit01.json" <<'"'"'PY'"'"'
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))["tables"][0]
got = sorted((r["section"], r["name"], k, v) for r in t["rows"] for k, v in r["cells"].items())
want = sorted([("income", n, "amount", "1000.50") for n in ("一、财政拨款收入", "收入总计")] +
              [("expenditure", n, k, v) for n in ("一、一般公共服务支出", "支出总计")
               for k, v in (("amount", "1000.50"), ("personnel", "600.25"),
                            ("public", "100.25"), ("project", "300.00"))])
sys.exit(0 if t["id"] == "SH01" and got == want else "%s %s" % (t["id"], got))
PY'
"$BK" convert "$out/unit01.json" "$out/unit01-wide/" --to csv 2>/dev/null
check "  written back with the header as printed" \
  '[ "$(header_rows "$out/unit01-wide/SH01.csv" 4; header_rows "$out/unit01-wide/SH01.csv" 6)" = "$(header_rows "$out/unit01.csv" 3; header_rows "$out/unit01.csv" 5)" ]'
# A wrong split: 人员经费 of 一般公共服务支出 1 元 off no longer sums to 支出总计's.
sed -i 's/一般公共服务支出,"1,000.50",600.25/一般公共服务支出,"1,000.50",601.25/' "$out/unit01.csv"
"$BK" validate --lang en "$out/unit01.csv" >"$out/unit01.report" 2>/dev/null
check "  a wrong 人员经费 is caught by SH01's rows-sum" \
  'grep -q "SH01 .*支出总计.*totals.rows-sum.*column personnel" "$out/unit01.report"'
echo "real documents: $fails failed"
[ "$fails" -eq 0 ]
