#!/bin/sh
# A document's year, money unit and precision are set through one setter each (model.h): the
# same bad value is refused with the same words whichever format it is read from.
. "$BK_SOURCE_DIR/tests/support/check.sh"

# refuse WHAT PATTERN FILE [OPTION...]: converting FILE to JSON is refused with PATTERN and
# writes nothing.
refuse() {
  what=$1 pattern=$2 file=$3
  shift 3
  run_bk convert "$file" "$t/out.json" "$@"
  before=$failures
  expect_refusal "$what" "$pattern"
  if [ -e "$t/out.json" ]; then fail "$what: a partial output was left"; fi
  if [ "$failures" -eq "$before" ]; then ok; echo "ok   $what"; fi
  rm -f "$t/out.json"
}

for bad in 1 1899 10000; do
  want="fiscal year $bad is not a year from 1900 to 9999"
  sed "s/\"fiscal_year\": 2024/\"fiscal_year\": $bad/" $S/budget.json >"$t/y.json"
  sed "0,/fiscal-year=\"2024\"/s//fiscal-year=\"$bad\"/" $S/budget.xml >"$t/y.xml"
  sed "s/^meta,,,,,,,,,fiscal_year,2024/meta,,,,,,,,,fiscal_year,$bad/" $S/budget.csv >"$t/y.csv"
  refuse "JSON year $bad" "$want" "$t/y.json"
  refuse "XML year $bad" "$want" "$t/y.xml"
  refuse "line-item CSV year $bad" "$want" "$t/y.csv"
  refuse "wide CSV --option year=$bad" "option year=$bad: $want" $S/wide/T01.csv --option year=$bad
done

want='money unit "美元" is neither 万元 nor 元'
sed 's/"money_unit": "万元"/"money_unit": "美元"/' $S/budget.json >"$t/m.json"
sed '0,/money-unit="万元"/s//money-unit="美元"/' $S/budget.xml >"$t/m.xml"
sed 's/^meta,,,,,,,,,money_unit,万元/meta,,,,,,,,,money_unit,美元/' $S/budget.csv >"$t/m.csv"
refuse "JSON money unit" "$want" "$t/m.json"
refuse "XML money unit" "$want" "$t/m.xml"
refuse "line-item CSV money unit" "$want" "$t/m.csv"

want='precision 19 is not a number of decimals from 0 to 18'
sed 's/"precision": 2,/"precision": 19,/' $S/budget.json >"$t/p.json"
sed '0,/precision="2"/s//precision="19"/' $S/budget.xml >"$t/p.xml"
sed 's/^meta,,,,,,,,,precision,2/meta,,,,,,,,,precision,19/' $S/budget.csv >"$t/p.csv"
refuse "JSON precision" "$want" "$t/p.json"
refuse "XML precision" "$want" "$t/p.xml"
refuse "line-item CSV precision" "$want" "$t/p.csv"

# The good values still read.
run_bk convert $S/budget.csv "$t/good.json"
check "the sample still converts" [ "$status" -eq 0 ]
finish facts
