#!/usr/bin/env bash
# formats/budget.xsd accepts what the exporter writes, and refuses broken documents; each
# broken document is refused by the reader as well, with the message given here.
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
cd "$BK_SOURCE_DIR"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
xsd=formats/budget.xsd
json=samples/dapeng-2024/budget.json
xml=samples/dapeng-2024/budget.xml
failures=0

valid() { # FILE
  if ! xmllint --noout --schema "$xsd" "$1" 2>"$out/xmllint.err"; then
    echo "FAIL: $1 does not validate against $xsd:"
    head -n 5 "$out/xmllint.err"
    failures=$((failures + 1))
  fi
}

"$BK" convert "$json" "$out/one.xml"
valid "$out/one.xml"
valid "$xml"
"$BK" convert "$json" "$xml" "$out/bulk.xml"
valid "$out/bulk.xml"

# broken NAME SED-SCRIPT MESSAGE: apply the sed script (to the first match only) to the
# sample; the schema must refuse the result and budgetkit must refuse it with MESSAGE.
broken() {
  local name=$1 script=$2 message=$3 file="$out/$1.xml"
  sed "$script" "$xml" >"$file"
  if cmp -s "$file" "$xml"; then
    echo "FAIL: $name: the sed script changed nothing"
    failures=$((failures + 1))
    return
  fi
  if xmllint --noout --schema "$xsd" "$file" >/dev/null 2>&1; then
    echo "FAIL: $name: the schema accepts it"
    failures=$((failures + 1))
  fi
  local status=0
  "$BK" convert "$file" "$out/$name.json" 2>"$out/$name.err" || status=$?
  if [ "$status" -ne 2 ] || ! grep -qF -- "$message" "$out/$name.err"; then
    echo "FAIL: $name: budgetkit exited $status, expected 2 with \"$message\"; said:"
    cat "$out/$name.err"
    failures=$((failures + 1))
  fi
  if [ -e "$out/$name.json" ]; then
    echo "FAIL: $name: an output file was written"
    failures=$((failures + 1))
  fi
}

broken row-kind '0,/kind="item"/s//kind="bogus"/' 'row kind "bogus" is not item, unit, total or of'
broken no-department '/<department /d' '<units> comes before <department>, which is missing'
broken stray-element '0,/<cell column="amount">4115.36<\/cell>/s//<note>4115.36<\/note>/' \
  'unexpected element <note> in <row>; expected <cell>'
broken table-twice '0,/<table id="T02"/s//<table id="T01"/' 'table T01 appears twice'
broken unknown-unit '0,/unit="u1"/s//unit="u7"/' 'the row belongs to unit "u7", which is not in <units>'
broken unit-parent '0,/parent="dept"/s//parent="nobody"/' 'names parent "nobody"'
broken money-unit '0,/money-unit="万元"/s//money-unit="美元"/' 'money unit "美元" is neither 万元 nor 元'
broken no-namespace '0,/ xmlns="urn:budgetkit:budget:1"/s///' '<budget> is not in the namespace urn:budgetkit:budget:1'
broken fiscal-year '0,/fiscal-year="2024"/s//fiscal-year="24"/' 'fiscal year 24 is not a year from 1900 to 9999'
broken level '0,/level="1"/s//level="10"/' 'level "10" is not a whole number from 1 to 9'
broken empty-code '0,/code="201"/s//code=""/' "the row's code is empty; leave the attribute out"
broken no-column '0,/<cell column="amount">/s//<cell>/' '<cell> has no "column" attribute'
broken version '0,/version="1"/s//version="2"/' 'version "2" is not supported'
broken unknown-attribute '0,/<units>/s//<units count="2">/' '<units> has an unknown attribute "count"'
broken text-in-row '0,/<cell column="amount">4115.36<\/cell>/s//4115.36/' \
  '<row> holds the text "4115.36"; only elements belong there'
broken cell-twice '0,/\(<cell column="amount">4115.36<\/cell>\)/s//\1\1/' \
  'column "amount" appears twice in this row'

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "xml schema: all checks passed"
