#!/usr/bin/env bash
# The XML form from the command line: the committed sample is what the exporter writes, the
# export is deterministic, and XML <-> JSON round trips give back the same bytes, for one
# document and for a bulk of several.
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
cd "$BK_SOURCE_DIR"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
json=samples/dapeng-2024/budget.json
xml=samples/dapeng-2024/budget.xml
failures=0

same() { # FILE EXPECTED WHAT
  if ! cmp -s "$1" "$2"; then
    echo "FAIL: $3: $1 differs from $2"
    diff "$1" "$2" | head -n 10 || true
    failures=$((failures + 1))
  fi
}

check() { # WHAT COMMAND...
  local what=$1
  shift
  if ! "$@"; then
    echo "FAIL: $what"
    failures=$((failures + 1))
  fi
}

"$BK" convert "$json" "$out/a.xml"
same "$out/a.xml" "$xml" "JSON -> XML gives the committed sample (regenerate it with: budgetkit convert $json $xml)"

"$BK" convert "$json" "$out/b.xml"
same "$out/b.xml" "$out/a.xml" "two exports of the same document"

"$BK" convert "$xml" "$out/c.json"
same "$out/c.json" "$json" "XML -> JSON gives the canonical JSON sample"
"$BK" convert "$out/c.json" "$out/c.xml"
same "$out/c.xml" "$xml" "XML -> JSON -> XML"

"$BK" convert "$xml" "$out/d.xml"
same "$out/d.xml" "$xml" "XML -> XML"

# The reader is picked by probing, whatever the file is called.
cp "$xml" "$out/budget.data"
"$BK" convert "$out/budget.data" "$out/e.json"
same "$out/e.json" "$json" "an XML file without the .xml extension"

# Standard output carries the same bytes as a file.
"$BK" convert --to xml "$json" - >"$out/f.xml"
same "$out/f.xml" "$xml" "XML written to standard output"

# A bulk: one <budgets> root holding a <budget> per document.
"$BK" convert "$json" "$xml" "$json" "$out/bulk.xml"
check "a bulk starts with a <budgets> root" \
  grep -q '^<budgets xmlns="urn:budgetkit:budget:1">$' "$out/bulk.xml"
n=$(grep -c '^  <budget version="1"' "$out/bulk.xml" || true)
check "a bulk of 3 documents holds 3 <budget> elements (found $n)" test "$n" -eq 3
check "a bulk ends with </budgets>" test "$(tail -n 1 "$out/bulk.xml")" = "</budgets>"
"$BK" convert "$out/bulk.xml" "$out/bulk2.xml"
same "$out/bulk2.xml" "$out/bulk.xml" "bulk XML -> XML"
"$BK" convert "$out/bulk.xml" "$out/bulk.json"
"$BK" convert "$out/bulk.json" "$out/bulk3.xml"
same "$out/bulk3.xml" "$out/bulk.xml" "bulk XML -> JSON -> XML"

# Into a folder: one single-document file per input document.
cp "$xml" "$out/first.xml"
cp "$json" "$out/second.json"
"$BK" convert --to xml "$out/first.xml" "$out/second.json" "$out/each/"
same "$out/each/first.xml" "$xml" "the first document written into a folder"
same "$out/each/second.xml" "$xml" "the second document written into a folder"

# The source line of each row on request, and nothing else changes.
"$BK" convert --option lines=yes "$json" "$out/lines.xml"
check "--option lines=yes writes line attributes" grep -q ' line="[0-9]*"' "$out/lines.xml"
sed 's/ line="[0-9]*"//' "$out/lines.xml" >"$out/nolines.xml"
same "$out/nolines.xml" "$xml" "the export with lines, less the line attributes"
"$BK" convert "$out/lines.xml" "$out/lines.json"
same "$out/lines.json" "$json" "line attributes are ignored on reading"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "xml round trips: all checks passed"
