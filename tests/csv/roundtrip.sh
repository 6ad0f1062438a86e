#!/usr/bin/env bash
# The CSV plugin from the command line: the samples round-trip (line items byte for byte, the
# wide folder figure for figure), GB18030 both ways, spreadsheet quirks (repeated merged
# cells, line breaks in headers, thousands separators, blank cells, full-width digits), bulk
# files, limits, and the errors a user sees.
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
cd "$BK_SOURCE_DIR"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
S=samples/dapeng-2024
failures=0

check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "ok   $what"
  else
    echo "FAIL $what"
    failures=$((failures + 1))
  fi
}
same_file() {
  cmp -s "$1" "$2" && return 0
  echo "  $1 and $2 differ:"
  diff <(head -c 2000 "$1") <(head -c 2000 "$2") | head -10
  return 1
}
same_dir() {
  diff -r "$1" "$2" >/dev/null && return 0
  echo "  $1 and $2 differ:"
  diff -r "$1" "$2" | head -10
  return 1
}
first_bytes() { head -c "$2" "$1" | od -An -tx1 | tr -d ' \n'; }
has() { grep -qF -- "$2" "$1" || { echo "  $1 lacks: $2"; head -c 600 "$1"; echo; return 1; }; }
fails_with() { # fails_with MESSAGE convert-args...
  local want=$1
  shift
  if "$BK" convert "$@" >"$t/out" 2>"$t/err"; then
    echo "  expected a failure: $*"
    return 1
  fi
  has "$t/err" "$want"
}
# The cell records of one table in a line-item file, with the row's unit, kind and name.
cells_of() { grep -E "^cell,[^,]*,$2," "$1"; }

# ---- line items: the lossless format
"$BK" convert "$S/budget.csv" "$t/again.csv"
check "line items → line items is byte-identical" same_file "$S/budget.csv" "$t/again.csv"
"$BK" convert "$S/budget.json" "$t/from-json.csv"
check "JSON → line items gives the sample" same_file "$S/budget.csv" "$t/from-json.csv"
"$BK" convert "$S/budget.csv" "$t/back.json"
check "JSON → line items → JSON is byte-identical" same_file "$S/budget.json" "$t/back.json"
check "line items carry the narrative" has "$S/budget.csv" "narrative,,,9,,,,第九部分 名词解释"
check "line items have no byte order mark" test "$(head -c 6 "$S/budget.csv")" = "record"
check "line items end lines with CRLF" test "$(head -n1 "$S/budget.csv" | tail -c 2 | od -An -tx1)" = " 0d 0a"

# ---- a bulk of documents in one file, written back as it was read
{
  cat "$S/budget.csv"
  tail -n +2 "$S/budget.csv" | sed 's/^meta,,,,,,,,,fiscal_year,2024/meta,,,,,,,,,fiscal_year,2025/'
} >"$t/bulk.csv"
"$BK" convert "$t/bulk.csv" "$t/bulk-again.csv"
check "a bulk of two documents round-trips" same_file "$t/bulk.csv" "$t/bulk-again.csv"
"$BK" info "$t/bulk.csv" >"$t/bulk-info"
check "a bulk holds two documents" test "$(grep -c '^fiscal year' "$t/bulk-info")" -eq 2
check "each document of a bulk keeps its own year" has "$t/bulk-info" "2025"
check "the wide layout refuses a bulk" fails_with "the wide layout holds one document" \
  "$t/bulk.csv" "$t/bulk-wide.csv" --layout wide

# ---- wide tables: one file per table
"$BK" convert "$S/wide" "$t/from-wide.json"
"$BK" convert "$t/from-wide.json" "$t/wide-again/" --to csv
check "wide folder → JSON → wide folder keeps every figure and label" \
  same_dir "$S/wide" "$t/wide-again"
"$BK" convert "$S/budget.json" "$t/wide-from-json/" --to csv
check "JSON → wide folder gives the sample" same_dir "$S/wide" "$t/wide-from-json"
check "wide files start with a byte order mark" test "$(first_bytes "$S/wide/T07.csv" 3)" = efbbbf
check "wide amounts have thousands separators" has "$S/wide/T07.csv" '"4,115.36"'
check "levels print as full-width indentation" has "$S/wide/T01.csv" '　　行政运行'
"$BK" convert "$t/from-wide.json" "$t/wide-lines.csv"
for tab in T01 T02 T04 T05 T07 T08 T09 T12; do
  check "wide $tab has the sample's rows and figures" \
    cmp -s <(cells_of "$t/wide-lines.csv" $tab) <(cells_of "$S/budget.csv" $tab)
done
# all tables in one file, one after another
"$BK" convert "$S/budget.json" "$t/one.csv" --layout wide
"$BK" convert "$t/one.csv" "$t/one.json"
check "one wide file holds all tables" same_file "$t/from-wide.json" "$t/one.json"

# ---- GB18030
"$BK" convert "$S/budget.csv" "$t/gb.csv" --option output-encoding=gb18030
check "GB18030 output is not UTF-8" bash -c "! iconv -f UTF-8 -t UTF-8 '$t/gb.csv' >/dev/null 2>&1"
"$BK" convert "$t/gb.csv" "$t/gb.json"
check "GB18030 line items are detected and read" same_file "$S/budget.json" "$t/gb.json"
"$BK" convert "$t/gb.csv" "$t/gb.json" --encoding gb18030
check "--encoding gb18030 reads them too" same_file "$S/budget.json" "$t/gb.json"
"$BK" convert "$S/budget.json" "$t/gb-wide/" --to csv --encoding gb18030
check "GB18030 wide files have no byte order mark" \
  test "$(first_bytes "$t/gb-wide/T01.csv" 3)" != efbbbf
"$BK" convert "$t/gb-wide" "$t/gb-wide.json"
check "a GB18030 wide folder reads back" same_file "$t/from-wide.json" "$t/gb-wide.json"
check "reading UTF-8 as GB18030 is refused" fails_with "invalid GB18030 at byte offset" \
  "$S/budget.csv" "$t/x.json" --encoding gb18030
check "an unknown encoding is refused" fails_with 'unknown encoding "latin1"' \
  "$S/budget.csv" "$t/x.json" --encoding latin1

# ---- Tables 2, 7 and 8 typed in from the seed as spreadsheets export them
"$BK" convert tests/csv/data/seed-T02.csv "$t/seed-T02.csv" --option year=2024
check "seed Table 2 (UTF-8 + BOM, merged cells repeated, line breaks in headers)" \
  cmp -s <(cells_of "$t/seed-T02.csv" T02) <(cells_of "$S/budget.csv" T02)
"$BK" convert tests/csv/data/seed-T08.csv "$t/seed-T08.csv" --option year=2024
check "seed Table 8 (GB18030, CRLF, (按经济分类) with ASCII brackets)" \
  cmp -s <(cells_of "$t/seed-T08.csv" T08) <(cells_of "$S/budget.csv" T08)
iconv -f UTF-8 -t GB18030 tests/csv/data/seed-T07.csv | sed 's/$/\r/' >"$t/seed-T07-gb.csv"
check "the GB18030 copy of Table 7 has CRLF line ends" has "$t/seed-T07-gb.csv" $'\r'
"$BK" convert "$t/seed-T07-gb.csv" "$t/seed-T07.csv" --option year=2024
check "seed Table 7 (GB18030 made by iconv, CRLF, title alias 按功能科目)" \
  cmp -s <(cells_of "$t/seed-T07.csv" T07) <(cells_of "$S/budget.csv" T07)
check "a lone wide file names the department without (本级)" \
  has "$t/seed-T07.csv" "doc,,,,,,,深圳市大鹏新区政务服务数据管理局,,version,1"
check "a lone wide file needs the year" fails_with "give it with --option year=2024" \
  tests/csv/data/seed-T08.csv "$t/x.json"

# ---- spreadsheet quirks: blank cells, thousands separators, full-width brackets, headers
# with line breaks, full-width digits
sed -e 's/^,2010302,一般行政管理事务,"1,242.10",0.00,"1,242.10"/,2010302,一般行政管理事务,"1,242.10",,"1,242.10"/' \
  "$S/wide/T07.csv" >"$t/blank.csv"
"$BK" convert "$t/blank.csv" "$t/blank-lines.csv"
check "a blank cell stays absent" \
  bash -c "! grep -q '2010302,一般行政管理事务,,basic' '$t/blank-lines.csv'"
check "\"1,242.10\" reads as 1242.10" has "$t/blank-lines.csv" "2010302,一般行政管理事务,,project,1242.10"
sed -e 's/增减幅(%)/"增减幅\n（%）"/' -e 's/^2024年项目支出总表/表5/' "$S/wide/T05.csv" >"$t/T05.csv"
"$BK" convert "$t/T05.csv" "$t/T05-lines.csv" --option year=2024
check "full-width brackets and a line break in a header cell; 表5 names the table" \
  cmp -s <(cells_of "$t/T05-lines.csv" T05) <(cells_of "$S/budget.csv" T05)
sed -e 's/^,221,住房保障支出,290.40,/,221,住房保障支出,２９０．４０,/' "$S/wide/T07.csv" >"$t/fw.csv"
"$BK" convert "$t/fw.csv" "$t/fw-lines.csv" 2>"$t/fw-err"
check "full-width digits are read" has "$t/fw-lines.csv" ",221,住房保障支出,,total,290.40"
check "full-width digits give a warning" \
  has "$t/fw-err" 'warning: full-width characters in "２９０．４０"'

# ---- folders
mkdir "$t/mixed"
cp "$S/wide/T07.csv" "$S/budget.csv" "$t/mixed/"
check "a line-item file in a wide folder is refused" fails_with "this is a line-item file" \
  "$t/mixed" "$t/x.json"
mkdir "$t/twice"
cp "$S/wide/T07.csv" "$t/twice/a.csv"
cp "$S/wide/T07.csv" "$t/twice/b.csv"
check "a table given twice is refused" fails_with "appears twice" "$t/twice" "$t/x.json"

# ---- limits
check "an over-long field is refused" fails_with "(max-string)" \
  "$S/budget.csv" "$t/x.json" --limit max-string=100
check "too many header rows are refused" fails_with "more than the limit of 3 (max-header-rows)" \
  "$S/wide/T02.csv" "$t/x.json" --limit max-header-rows=3
check "too many cells are refused" fails_with "(max-cells)" \
  "$S/budget.csv" "$t/x.json" --limit max-cells=100
check "too large an input is refused" fails_with "(max-input-bytes)" \
  "$S/budget.csv" "$t/x.json" --limit max-input-bytes=10K
check "no output is left after a failure" test ! -e "$t/x.json"

# ---- options
check "an unknown layout is refused" fails_with 'unknown CSV layout "tall"' \
  "$S/budget.json" "$t/x.csv" --layout tall
"$BK" convert "$S/budget.json" "$t/bom.csv" --option bom=yes
check "bom=yes puts a byte order mark on line items" test "$(first_bytes "$t/bom.csv" 3)" = efbbbf
"$BK" convert "$t/bom.csv" "$t/bom.json"
check "line items with a byte order mark read back" same_file "$S/budget.json" "$t/bom.json"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
