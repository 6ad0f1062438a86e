#!/usr/bin/env bash
# Bulk JSON is JSON Lines: each document compact on its own line, the same document as the
# pretty form; one document alone stays pretty (canonical, byte-stable); .jsonl or
# --option json-lines=yes writes lines even for one; both forms read back.
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
same_json() { # each line of $1 is the document of $2
  python3 - "$1" "$2" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "no final newline"
want = json.load(open(sys.argv[2], encoding="utf-8"))
for i, line in enumerate(lines[:-1], 1):
    assert line and line[0] == "{", f"line {i} is not a document"
    assert json.loads(line) == want, f"line {i} differs"
PY
}

"$BK" convert "$S/budget.json" "$S/budget.xml" "$S/budget.csv" "$t/bulk.json"
check "a bulk of 3 documents is 3 lines" test "$(wc -l <"$t/bulk.json")" = 3
check "each line is the whole document" same_json "$t/bulk.json" "$S/budget.json"
"$BK" convert "$t/bulk.json" "$t/back/"
check "JSON Lines read back: 3 documents" test "$(ls "$t/back" | wc -l)" = 3
check "each read back byte-identical to the sample" bash -c "for f in '$t'/back/*.json; do cmp -s \"\$f\" '$S/budget.json' || exit 1; done"

"$BK" convert "$S/budget.json" "$t/one.json"
check "one document stays pretty and byte-identical" cmp -s "$t/one.json" "$S/budget.json"
"$BK" convert "$S/budget.json" "$t/one.jsonl"
check ".jsonl: one line" test "$(wc -l <"$t/one.jsonl")" = 1
check ".jsonl: the document" same_json "$t/one.jsonl" "$S/budget.json"
"$BK" convert --option json-lines=yes "$S/budget.json" - >"$t/stdout.jsonl"
check "json-lines=yes to standard output" cmp -s "$t/stdout.jsonl" "$t/one.jsonl"
"$BK" convert "$t/one.jsonl" "$t/from-lines.json"
check ".jsonl read back" cmp -s "$t/from-lines.json" "$S/budget.json"

# Documents back to back (the older bulk form) still read.
cat "$S/budget.json" "$S/budget.json" >"$t/concat.json"
"$BK" convert "$t/concat.json" "$t/concat-out.json"
check "concatenated pretty documents read, written as 2 lines" test "$(wc -l <"$t/concat-out.json")" = 2
check "jq-style tools read every line" same_json "$t/concat-out.json" "$S/budget.json"
check "bad json-lines value refused" bash -c "! '$BK' convert --option json-lines=maybe '$S/budget.json' '$t/x.json' 2>/dev/null && test ! -e '$t/x.json'"

finish json_lines
