#!/usr/bin/env bash
# Memory is bounded by the limits, not by the input: peak resident memory of each reader stays
# within 64 MiB plus a small multiple of the largest document it holds (formats/limits.md).
# The sanitizer build's memory is its own (shadow memory, quarantine): there the inputs are
# only read, each must be answered.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sanitized=0
grep -q '^BK_SANITIZE:BOOL=ON' "$BK_BUILD_DIR/CMakeCache.txt" 2>/dev/null && sanitized=1
[ "$sanitized" = 1 ] || [ -x /usr/bin/time ] ||
    fail "/usr/bin/time is needed to measure memory (tools/install-deps.sh installs it)"

# peak KIB NAME CMD...: CMD (run with standard input from $input when set) ends without a crash
# and its peak resident memory is at most KIB kibibytes.
peak() {
    local max=$1 name=$2
    shift 2
    local status=0
    if [ "$sanitized" = 1 ]; then
        "$@" < "${input:-/dev/null}" > /dev/null 2> "$work/err" || status=$?
    else
        /usr/bin/time -f '%M' -o "$work/rss" "$@" < "${input:-/dev/null}" > /dev/null \
            2> "$work/err" || status=$?
    fi
    [ "$status" -le 2 ] || fail "$name: status $status: $(tail -3 "$work/err")"
    [ "$sanitized" = 1 ] && return
    local rss
    rss=$(tail -n 1 "$work/rss")
    [ "$rss" -le "$max" ] || fail "$name: peak memory $rss KiB, more than $max KiB"
    echo "$name: $rss KiB (bound $max KiB)"
}

# An endless input with the input limit at 64 MiB: refused at the limit, never holding twice
# of it (a doubling buffer reached 2.1 GB at the default limit).
limit=(--limit max-input-bytes=64M)
bound=$((64 * 1024 + 48 * 1024))
for f in json xml csv archive; do
    input="" peak "$bound" "/dev/zero as $f" "$BK" validate --from "$f" "${limit[@]}" /dev/zero
    input=/dev/zero peak "$bound" "/dev/zero on standard input as $f" \
        "$BK" validate --from "$f" "${limit[@]}" -
done

# 16 MiB of wide CSV lines that are only commas: blank fields take no memory (1.65 GB for
# 64 MiB before).
python3 - "$work/commas.csv" <<'PY'
import sys
line = "," * 4000 + "\n"
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("2024年项目支出表\n单位名称:x\n单位:万元\n")
    for _ in range(16 * 1024 * 1024 // len(line)):
        f.write(line)
PY
input="" peak $((64 * 1024 + 2 * 16 * 1024)) "16 MiB of commas as wide CSV" \
    "$BK" validate --from csv "$work/commas.csv"
# 16 MiB of tiny JSON values, in a member the reader refuses only once the document is parsed:
# the index of the values takes 16 bytes a value, at most 8 times the text, and the index of
# the keys of a large object 12 bytes a slot; with the text itself, at most 10 times the
# document (32 bytes a value and 24 a slot took 286 MiB for the array, 240 MiB for the object).
python3 - "$work/zeros.json" "$work/keys.json" <<'PY'
import itertools, sys
size = 16 * 1024 * 1024
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write('{"x":[' + "0," * ((size - 9) // 2) + "0]}")
chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
keys = ('"%s":0' % "".join(k) for k in itertools.product(chars, repeat=4))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write('{"x":{' + ",".join(itertools.islice(keys, (size - 8) // 9)) + "}}")
PY
bound=$((64 * 1024 + 10 * 16 * 1024))
input="" peak "$bound" "16 MiB of tiny JSON values" "$BK" validate --from json "$work/zeros.json"
input="" peak "$bound" "16 MiB of JSON object keys" "$BK" validate --from json "$work/keys.json"

# Blank fields before a filled one, and lines of one comma: a sparse record keeps its filled
# fields only, a blank one is not kept (424 MiB and 277 MiB before).
python3 - "$work/sparse.csv" "$work/comma-lines.csv" <<'PY'
import sys
head = "2024年项目支出表\n单位名称:x\n单位:万元\n"
line = "," * 4000 + "1\n"
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write(head + line * (16 * 1024 * 1024 // len(line)))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(head + ",\n" * (8 * 1024 * 1024))
PY
input="" peak $((64 * 1024 + 2 * 16 * 1024)) "16 MiB of blank fields before a figure as wide CSV" \
    "$BK" validate --from csv "$work/sparse.csv"
input="" peak $((64 * 1024 + 2 * 16 * 1024)) "16 MiB of lines of one comma as wide CSV" \
    "$BK" validate --from csv "$work/comma-lines.csv"
# An archive holds one inflated entry at a time, and the entry's reader its own copy of what it
# needs: a 64 MiB JSON entry peaks at 64 MiB + 2 times the entry (formats/limits.md). Blanks
# inflate a thousandfold, so the ratio limit is raised to let the entry in.
python3 - "$BK_SOURCE_DIR/samples/dapeng-2024/budget.json" "$work/entry.zip" <<'PY'
import sys, zipfile
text = open(sys.argv[1], encoding="utf-8").read().rstrip()
data = (text[:-1] + " " * (16 * 1024 * 1024) + "}\n").encode("utf-8")
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("budget.json", data)
PY
input="" peak $((64 * 1024 + 2 * 17 * 1024)) "a 16 MiB JSON entry of an archive" \
    "$BK" validate --limit max-ratio=5000 "$work/entry.zip"

# The totals validator's record of each document for the check across documents: per
# department, not per document. A bulk of tiny documents (a department row and a unit row of
# three figures each), every one its own department, then all in four departments (about 340
# and 480 bytes a document before: names and file names kept per document, and the figures of
# a department unpacked at 80 bytes each for the check). The sanitizer build checks a smaller
# bulk the same way.
docs=100000
[ "$sanitized" = 1 ] && docs=5000
for departments in 0 4; do
    python3 - "$work/tiny.jsonl" "$docs" "$departments" <<'PY'
import json, sys
path, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w", encoding="utf-8") as f:
    for i in range(n):
        dept = "测试区第%07d局" % (i % k if k else i)
        cells = {"total": "1.00", "basic": "1.00", "project": "0.00"}
        f.write(json.dumps({
            "format": "budgetkit-budget", "version": 1, "fiscal_year": 2024,
            "department": {"name": dept}, "money_unit": "万元", "unit_mult": 4, "precision": 2,
            "units": [{"id": "dept", "name": dept, "kind": "department"},
                      {"id": "u1", "name": dept + "(本级)", "kind": "self", "parent": "dept"}],
            "tables": [{"id": "T10", "layout": "shenzhen", "rows": [
                {"kind": "unit", "unit": "dept", "name": dept, "cells": cells},
                {"kind": "unit", "unit": "u1", "name": dept + "(本级)", "cells": cells}]}],
        }, ensure_ascii=False, separators=(",", ":")) + "\n")
PY
    # The program takes about 16 MiB; then 256 bytes a document of a department of its own
    # (its name and its units' names are kept), 128 a document of a department seen before
    # (about 40 bytes its record, the rest its figures unpacked for the check at the end).
    per=$([ "$departments" = 0 ] && echo 256 || echo 128)
    input="" peak $((16 * 1024 + docs * per / 1024)) \
        "$docs tiny documents, departments: ${departments/#0/one each}" \
        "$BK" validate --only totals "$work/tiny.jsonl"
done

# An archive's entries cost 24 bytes each while it is read (what is kept to find duplicates
# and manifest resources), not their central directory records: 45,000 more entries of a tiny
# document may add at most 4 MiB (libzip's directory took 450 bytes an entry, 19 MiB here).
if [ "$sanitized" = 0 ]; then
    for n in 5000 50000; do
        python3 - "$work/entries-$n.zip" "$n" <<'PY'
import json, sys, zipfile
path, n = sys.argv[1], int(sys.argv[2])
cells = {"total": "0.00", "basic": "0.00", "project": "0.00"}
with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
    for i in range(n):
        dept = "深圳市测试区第%07d局" % (i % 4)
        z.writestr("documents/%06d.json" % i, json.dumps({
            "format": "budgetkit-budget", "version": 1, "fiscal_year": 2024,
            "department": {"name": dept}, "money_unit": "万元", "precision": 2,
            "units": [{"id": "dept", "name": dept, "kind": "department"}],
            "tables": [{"id": "T10", "rows": [
                {"kind": "unit", "unit": "dept", "name": dept, "cells": cells}]}],
        }, ensure_ascii=False))
PY
        /usr/bin/time -f '%M' -o "$work/rss-$n" "$BK" validate --skip totals "$work/entries-$n.zip" \
            > /dev/null 2> "$work/err" || fail "$n entries: $(tail -3 "$work/err")"
    done
    small=$(tail -n 1 "$work/rss-5000") large=$(tail -n 1 "$work/rss-50000")
    [ $((large - small)) -le 4096 ] ||
        fail "50,000 archive entries took $((large - small)) KiB more than 5,000 ($small, $large KiB)"
    echo "archive entries: 5,000 in $small KiB, 50,000 in $large KiB"
fi
echo "memory within its bounds"
