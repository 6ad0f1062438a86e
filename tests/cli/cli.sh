#!/usr/bin/env bash
# The command line as a user calls it: help, version, plugins, info, convert, exit statuses,
# error messages, standard input and output, outputs kept intact on failure.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
source "$BK_SOURCE_DIR/tests/support/check.sh"

check "--version" bash -c "'$BK' --version | grep -q '^budgetkit [0-9]'"
check "--help lists commands" bash -c "'$BK' --help | grep -q 'convert IN... OUT'"
for cmd in convert info validate plugins; do
  check "$cmd --help" bash -c "'$BK' $cmd --help | grep -q '^Usage: budgetkit $cmd'"
done
check "unknown command exits 2" status_is 2 "$BK" frobnicate
check "unknown command says so" grep -q "unknown command 'frobnicate'" "$t/err"
check "no command exits 2" status_is 2 "$BK"

"$BK" plugins >"$t/plugins" 2>&1
for p in json xml csv archive codes totals; do
  check "plugins lists $p" grep -qE "^  $p " "$t/plugins"
done
check "plugins shows files" grep -q "bk-json.so" "$t/plugins"

"$BK" info "$sample" >"$t/info"
check "info names the department" grep -q "^department   深圳市大鹏新区政务服务数据管理局" "$t/info"
check "info shows the year" grep -q "^fiscal year  2024" "$t/info"
check "info shows T07 total" grep -qE "^  T07 +[0-9]+ rows +4,115.36" "$t/info"
check "info shows 12 tables" grep -q "^tables       12," "$t/info"

check "convert json to json" status_is 0 "$BK" convert "$sample" "$t/copy.json"
check "json round trip is byte-identical" cmp -s "$sample" "$t/copy.json"
check "convert is deterministic" bash -c "'$BK' convert '$sample' '$t/again.json' && cmp -s '$t/copy.json' '$t/again.json'"
check "stdin to stdout" bash -c "'$BK' convert --from json - - < '$sample' | cmp -s - '$sample'"
check "--to overrides the extension" bash -c "'$BK' convert --to json '$sample' '$t/out.data' && cmp -s '$sample' '$t/out.data'"

check "missing input exits 2" status_is 2 "$BK" convert "$t/nope.json" "$t/x.json"
check "missing input is named" grep -q "^budgetkit: $t/nope.json: no such file" "$t/err"
check "unknown output extension exits 2" status_is 2 "$BK" convert "$sample" "$t/out.unknown"
check "unknown output extension says --to" grep -q -- "--to" "$t/err"

# A failing conversion keeps the existing output untouched and leaves no temporary.
printf '{"format": "budgetkit-budget", "version": 1,\n  "fiscal_year": "2024"\n' >"$t/bad.json"
echo "precious" >"$t/keep.json"
check "bad input exits 2" status_is 2 "$BK" convert "$t/bad.json" "$t/keep.json"
check "error has file:line:col" grep -qE "^budgetkit: $t/bad.json:[0-9]+:[0-9]+: " "$t/err"
check "existing output kept" grep -qx precious "$t/keep.json"
check "no temporary left" bash -c "! ls -A '$t' | grep -q tmp-"
check "full disk exits 2" status_is 2 "$BK" convert --to json "$sample" /dev/full
check "full disk is reported" grep -q "cannot write" "$t/err"

# A folder of documents (a superior department's units, each a file) is its documents, for
# every command that reads budgets; a folder a reader takes whole (the wide tables) stays one.
mkdir -p "$t/units" "$t/none"
cp "$sample" "$t/units/a.json"
"$BK" convert "$sample" "$t/units/b.xml" 2>/dev/null
check "validate takes a folder of documents" status_is 1 "$BK" validate "$t/units"
check "  and checks each" bash -c "'$BK' validate '$t/units' | grep -q '^2 documents'"
check "convert a folder of documents to one bulk file" status_is 0 "$BK" convert "$t/units" "$t/units.jsonl"
check "  with both documents, in name order" bash -c "[ \$(wc -l < '$t/units.jsonl') -eq 2 ]"
check "a folder of wide tables stays one document" \
  bash -c "'$BK' validate '$BK_SOURCE_DIR/samples/dapeng-2024/wide' | grep -q '^1 document'"
check "an empty folder exits 2" status_is 2 "$BK" validate "$t/none"
check "  and says so" grep -q "the folder holds no file" "$t/err"

check "bad limit exits 2" status_is 2 "$BK" convert --limit max-cells=lots "$sample" "$t/y.json"
check "tiny limit refuses" status_is 2 "$BK" convert --limit max-input-bytes=1K "$sample" "$t/y.json"
check "limit is named" grep -q "max-input-bytes" "$t/err"

# Global options after the command are the same options, whatever letters a command's own use.
plugdir=$(dirname "$("$BK" plugins | sed -n 's/.* \(\/.*bk-json\.so\)$/\1/p')")
# (validate exits 1: the sample has findings; an unread option would exit 2.)
for cmd in "validate" "info" "convert --to json" "diff"; do
  args=("$sample") want=0
  [ "$cmd" = validate ] && want=1
  [ "$cmd" = diff ] && args=("$sample" "$sample")
  [ "${cmd%% *}" = convert ] && args=("$sample" "$t/pp.json")
  check "$cmd takes --plugin-path after the command" \
    status_is $want "$BK" $cmd --plugin-path "$plugdir" "${args[@]}"
done
check "  and validate does not read it as --partial" bash -c "! ls '$plugdir'/*.partial 2>/dev/null | grep -q ."
check "an option a command does not take exits 2" status_is 2 "$BK" info --strict "$sample"
check "  and says so" grep -q "unknown option" "$t/err"

finish cli
