#!/usr/bin/env bash
# budgetkit-bulkgen gives the same bytes for the same options, writes canonical documents
# whose figures add up (budgetkit validate finds nothing), and its bulk converts to every
# format and back unchanged.
set -euo pipefail
: "${BK:?}" "${BULKGEN:?}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passes=0 failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
pass() {
    echo "ok: $*"
    passes=$((passes + 1))
}

# ---- determinism ----
"$BULKGEN" --documents 12 --seed 7 -o "$tmp/a.json"
"$BULKGEN" --documents 12 --seed 7 >"$tmp/b.json"
if cmp -s "$tmp/a.json" "$tmp/b.json"; then
    pass "the same documents and seed give the same bytes"
else
    fail "two runs with --documents 12 --seed 7 gave different bytes"
fi
"$BULKGEN" --documents 12 --seed 8 -o "$tmp/c.json"
if cmp -s "$tmp/a.json" "$tmp/c.json"; then
    fail "--seed 8 gave the same bytes as --seed 7"
else
    pass "another seed gives other figures"
fi
"$BULKGEN" --documents 5 --seed 7 -o "$tmp/p.json"
if cmp -s -n "$(stat -c %s "$tmp/p.json")" "$tmp/p.json" "$tmp/a.json"; then
    pass "5 documents are the first 5 of 12"
else
    fail "--documents 5 is not a prefix of --documents 12 with the same seed"
fi
# The bytes of a fixed bulk, so that a change of compiler or platform that alters them shows.
# A deliberate change of the generator updates this checksum.
sum=$("$BULKGEN" --documents 3 --seed 1 | sha256sum | cut -d' ' -f1)
expected=42b4b553cc80fd606246e12b499d32634aa85d6c1da01e81b8ba00c6b23bbbc7
if [ "$sum" = "$expected" ]; then
    pass "the bytes of --documents 3 --seed 1 are the known ones"
else
    fail "--documents 3 --seed 1 has checksum $sum, expected $expected"
fi

# ---- --cells and --directory ----
summary=$("$BULKGEN" --cells 20000 --seed 3 -o "$tmp/cells.json" -v 2>&1)
docs=$(echo "$summary" | awk '{print $2}')
cells=$(echo "$summary" | awk '{print $4}')
fewer=$("$BULKGEN" --documents $((docs - 1)) --seed 3 -o /dev/null -v 2>&1 | awk '{print $4}')
if [ "$cells" -ge 20000 ] && [ "$fewer" -lt 20000 ]; then
    pass "--cells 20000 stops at the first document reaching 20000 cells ($docs documents, $cells cells)"
else
    fail "--cells 20000 wrote $cells cells in $docs documents; one document less holds $fewer"
fi
if [ "$((cells / docs))" -ge 300 ] && [ "$((cells / docs))" -le 5000 ]; then
    pass "documents hold $((cells / docs)) cells on average"
else
    fail "documents hold $((cells / docs)) cells on average, not a few hundred to a few thousand"
fi
"$BULKGEN" --cells 20000 --seed 3 -d "$tmp/docs"
if [ "$(find "$tmp/docs" -name 'doc-*.json' | wc -l)" = "$docs" ] &&
    cat "$tmp"/docs/doc-*.json | cmp -s - "$tmp/cells.json"; then
    pass "--directory writes the same documents one file each"
else
    fail "the files of --directory are not the documents of the bulk"
fi
if "$BULKGEN" --documents x 2>"$tmp/err"; then
    fail "--documents x was accepted"
elif grep -q "takes a non-negative integer" "$tmp/err"; then
    pass "a bad count is refused: $(cat "$tmp/err")"
else
    fail "a bad count gave: $(cat "$tmp/err")"
fi

# ---- budgetkit reads it: canonical, counted, valid ----
# budgetkit writes a bulk as JSON Lines (formats/json.md): the same documents, one a line,
# and written again the same bytes.
if "$BK" convert "$tmp/a.json" "$tmp/a2.json" && "$BK" convert "$tmp/a2.json" "$tmp/a3.json" &&
    cmp -s "$tmp/a2.json" "$tmp/a3.json" && [ "$(wc -l <"$tmp/a2.json")" = 12 ] &&
    python3 - "$tmp/a.json" "$tmp/a2.json" <<'PY'
import os, sys
sys.dont_write_bytecode = True  # no cache in the source tree
sys.path.insert(0, os.path.join(os.environ["BK_SOURCE_DIR"], "tests", "support"))
from json_docs import documents
a, b = ([d for d, _ in documents(open(f, encoding="utf-8").read())] for f in sys.argv[1:3])
assert len(a) == 12 and a == b
PY
then
    pass "budgetkit reads the bulk and writes the same documents back as JSON Lines, stably"
else
    fail "budgetkit convert a.json a2.json did not give the same documents as 12 stable lines"
fi
want=$("$BULKGEN" --documents 12 --seed 7 -o /dev/null -v 2>&1 | awk '{print $2 " " $4}')
got=$("$BK" info "$tmp/a.json" | awk '/^document/ {d++} /^tables/ {c += $3} END {print d " " c}')
if [ "$want" = "$got" ]; then
    pass "budgetkit info counts the documents and cells the generator wrote ($got)"
else
    fail "the generator wrote (documents cells) $want, budgetkit info counts $got"
fi
"$BULKGEN" --documents 0 --catalog "$tmp/catalog.csv" >/dev/null
status=0
"$BK" validate --catalog "$tmp/catalog.csv" "$tmp/a.json" >"$tmp/report.txt" || status=$?
if [ "$status" = 0 ] && grep -q "12 documents, 0 errors, 0 warnings, 0 within rounding, 0 info" "$tmp/report.txt"; then
    pass "budgetkit validate finds nothing to report: $(tail -n 1 "$tmp/report.txt")"
else
    fail "budgetkit validate exited $status: $(head -n 5 "$tmp/report.txt")"
fi

# ---- it converts to every format and back ----
plugins=$("$BK" plugins)
for fmt in csv xml; do
    if ! echo "$plugins" | grep -q "^  $fmt "; then
        fail "no $fmt plugin is built"
        continue
    fi
    if "$BK" convert "$tmp/a.json" "$tmp/a.$fmt" && "$BK" convert "$tmp/a.$fmt" "$tmp/from-$fmt.json" &&
        cmp -s "$tmp/a2.json" "$tmp/from-$fmt.json"; then
        pass "JSON -> $fmt -> JSON gives the bulk back"
    else
        fail "JSON -> $fmt -> JSON changed the bulk"
    fi
done
"$BULKGEN" --documents 12 --seed 7 -d "$tmp/folder"
if "$BK" convert "$tmp"/folder/*.json "$tmp/a.zip" && "$BK" convert "$tmp/a.zip" "$tmp/from-zip.json" &&
    cmp -s "$tmp/a2.json" "$tmp/from-zip.json"; then
    pass "documents -> archive -> JSON gives the bulk back"
else
    fail "documents -> archive -> JSON changed the bulk"
fi

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
