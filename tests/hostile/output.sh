#!/usr/bin/env bash
# Folder outputs are replaced all or none; long output names and folders reached through a
# symbolic link to another filesystem are written.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
work=$(mktemp -d)
shm=""
trap 'rm -rf "$work" ${shm:+"$shm"}' EXIT

# OUT holds the twelve tables, marked so that a replaced file shows; T05.csv is a folder.
"$BK" convert --layout wide "$sample" "$work/out/"
n=$(ls "$work/out" | wc -l)
[ "$n" -ge 12 ] || fail "the wide layout wrote $n files"
for f in "$work"/out/*; do
    echo "old $(basename "$f")" > "$f"
done
rm "$work/out/T05.csv"
mkdir "$work/out/T05.csv"
status=0
"$BK" convert --layout wide "$sample" "$work/out/" 2> "$work/err" || status=$?
[ "$status" -eq 2 ] || fail "a folder in the way: status $status"
grep -q "T05.csv is in the way" "$work/err" || fail "message: $(cat "$work/err")"
for f in "$work"/out/*; do
    [ -d "$f" ] && continue
    [ "$(cat "$f")" = "old $(basename "$f")" ] || fail "$(basename "$f") was replaced by a failed conversion"
done
[ "$(ls -A "$work/out" | wc -l)" -eq "$n" ] || fail "the failed conversion left files behind: $(ls -A "$work/out")"
ls -A "$work" | grep -q 'tmp-' && fail "a staging folder was left: $(ls -A "$work")"

# Without the obstacle every file is replaced.
rmdir "$work/out/T05.csv"
"$BK" convert --layout wide "$sample" "$work/out/"
if grep -l '^old ' "$work"/out/* > /dev/null; then
    fail "a file was not replaced"
fi
[ "$(ls -A "$work/out" | wc -l)" -eq "$n" ] || fail "files left over: $(ls -A "$work/out")"

# A 249-byte output name (the longest a temporary name beside it once allowed is less).
long=$(printf 'a%.0s' $(seq 244)).json
"$BK" convert "$sample" "$work/$long" || fail "a 249-byte output name was refused"
[ -s "$work/$long" ] || fail "the 249-byte output is missing"

# An output folder that is a symbolic link to another filesystem (when there is one).
if [ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$work")" ]; then
    shm=$(mktemp -d /dev/shm/bk-out.XXXXXX)
    ln -s "$shm" "$work/link"
    "$BK" convert --layout wide "$sample" "$work/link/" || fail "a folder on another filesystem through a link"
    "$BK" convert --layout wide "$sample" "$work/link/" || fail "replacing files on another filesystem through a link"
    [ "$(ls "$shm" | wc -l)" -eq "$n" ] || fail "files in the linked folder: $(ls -A "$shm")"
    echo "linked folder on another filesystem written"
fi
echo "output checks passed"
