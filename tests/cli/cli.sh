#!/usr/bin/env bash
# The command line as a user calls it: help, version, plugins, info, convert, exit statuses,
# error messages, standard input and output, outputs kept intact on failure.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # check NAME COMMAND... : the command must succeed
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}
status_is() { # status_is WANT COMMAND...
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] || { echo "  exit $got, expected $want: $(head -c 300 "$tmp/err")"; return 1; }
}

check "--version" bash -c "'$BK' --version | grep -q '^budgetkit [0-9]'"
check "--help lists commands" bash -c "'$BK' --help | grep -q 'convert IN... OUT'"
for cmd in convert info validate plugins; do
  check "$cmd --help" bash -c "'$BK' $cmd --help | grep -q '^Usage: budgetkit $cmd'"
done
check "unknown command exits 2" status_is 2 "$BK" frobnicate
check "unknown command says so" grep -q "unknown command 'frobnicate'" "$tmp/err"
check "no command exits 2" status_is 2 "$BK"

"$BK" plugins >"$tmp/plugins" 2>&1
for p in json xml csv archive codes totals; do
  check "plugins lists $p" grep -qE "^  $p " "$tmp/plugins"
done
check "plugins shows files" grep -q "bk-json.so" "$tmp/plugins"

"$BK" info "$sample" >"$tmp/info"
check "info names the department" grep -q "^department   深圳市大鹏新区政务服务数据管理局" "$tmp/info"
check "info shows the year" grep -q "^fiscal year  2024" "$tmp/info"
check "info shows T07 total" grep -qE "^  T07 +[0-9]+ rows +4,115.36" "$tmp/info"
check "info shows 12 tables" grep -q "^tables       12," "$tmp/info"

check "convert json to json" status_is 0 "$BK" convert "$sample" "$tmp/copy.json"
check "json round trip is byte-identical" cmp -s "$sample" "$tmp/copy.json"
check "convert is deterministic" bash -c "'$BK' convert '$sample' '$tmp/again.json' && cmp -s '$tmp/copy.json' '$tmp/again.json'"
check "stdin to stdout" bash -c "'$BK' convert --from json - - < '$sample' | cmp -s - '$sample'"
check "--to overrides the extension" bash -c "'$BK' convert --to json '$sample' '$tmp/out.data' && cmp -s '$sample' '$tmp/out.data'"

check "missing input exits 2" status_is 2 "$BK" convert "$tmp/nope.json" "$tmp/x.json"
check "missing input is named" grep -q "^budgetkit: $tmp/nope.json: no such file" "$tmp/err"
check "unknown output extension exits 2" status_is 2 "$BK" convert "$sample" "$tmp/out.unknown"
check "unknown output extension says --to" grep -q -- "--to" "$tmp/err"

# A failing conversion keeps the existing output untouched and leaves no temporary.
printf '{"format": "budgetkit-budget", "version": 1,\n  "fiscal_year": "2024"\n' >"$tmp/bad.json"
echo "precious" >"$tmp/keep.json"
check "bad input exits 2" status_is 2 "$BK" convert "$tmp/bad.json" "$tmp/keep.json"
check "error has file:line:col" grep -qE "^budgetkit: $tmp/bad.json:[0-9]+:[0-9]+: " "$tmp/err"
check "existing output kept" grep -qx precious "$tmp/keep.json"
check "no temporary left" bash -c "! ls -A '$tmp' | grep -q tmp-"
check "full disk exits 2" status_is 2 "$BK" convert --to json "$sample" /dev/full
check "full disk is reported" grep -q "cannot write" "$tmp/err"

check "bad limit exits 2" status_is 2 "$BK" convert --limit max-cells=lots "$sample" "$tmp/y.json"
check "tiny limit refuses" status_is 2 "$BK" convert --limit max-input-bytes=1K "$sample" "$tmp/y.json"
check "limit is named" grep -q "max-input-bytes" "$tmp/err"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
