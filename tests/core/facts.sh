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

# bad WHAT WANT JSON-EDIT XML-EDIT CSV-EDIT: the seed as JSON, XML and line-item CSV, each
# changed by its sed command, is refused with the same words WANT.
bad() {
  sed "$3" $S/budget.json >"$t/bad.json"
  sed "$4" $S/budget.xml >"$t/bad.xml"
  sed "$5" $S/budget.csv >"$t/bad.csv"
  for f in json xml csv; do refuse "$f: $1" "$2" "$t/bad.$f"; done
}

for y in 1 1899 10000; do
  want="fiscal year $y is not a year from 1900 to 9999"
  bad "year $y" "$want" "s/\"fiscal_year\": 2024/\"fiscal_year\": $y/" \
    "0,/fiscal-year=\"2024\"/s//fiscal-year=\"$y\"/" "s/^meta,,,,,,,,,fiscal_year,2024/meta,,,,,,,,,fiscal_year,$y/"
  refuse "wide CSV --option year=$y" "option year=$y: $want" $S/wide/T01.csv --option year=$y
done
bad "money unit" 'money unit "美元" is neither 万元 nor 元' 's/"money_unit": "万元"/"money_unit": "美元"/' \
  '0,/money-unit="万元"/s//money-unit="美元"/' 's/^meta,,,,,,,,,money_unit,万元/meta,,,,,,,,,money_unit,美元/'
bad "precision" 'precision 19 is not a number of decimals from 0 to 18' 's/"precision": 2,/"precision": 19,/' \
  '0,/precision="2"/s//precision="19"/' 's/^meta,,,,,,,,,precision,2/meta,,,,,,,,,precision,19/'

# The good values still read.
run_bk convert $S/budget.csv "$t/good.json"
check "the sample still converts" [ "$status" -eq 0 ]
finish facts
