#!/usr/bin/env bash
# Hostile archives: every sample in samples/invalid/archive is refused with exit status 2, its
# expected message (naming the entry) and no output, and an existing output file is left as it
# was. The samples must be what tests/archive/make-hostile.py makes, and a 200 MB decompression
# bomb, too big to commit, is made here and refused without being inflated.
set -euo pipefail

source "$BK_SOURCE_DIR/tests/archive/common.sh"
samples="$BK_SOURCE_DIR/samples/invalid/archive"
script="$BK_SOURCE_DIR/tests/archive/make-hostile.py"

# The committed samples are exactly what the script makes.
python3 "$script" "$work/made"
diff <(cd "$samples" && ls) <(cd "$work/made" && ls) || fail "samples/invalid/archive and make-hostile.py disagree on the file list"
for f in "$work"/made/*; do
    cmp "$f" "$samples/$(basename "$f")" || fail "$(basename "$f") differs from what make-hostile.py makes"
done

# expect_refused ARCHIVE SUBSTRING [BK OPTIONS...]
expect_refused() {
    local zip=$1 want=$2
    shift 2
    local out="$work/out.json" status=0
    rm -f "$out"
    "$BK" convert "$@" "$zip" "$out" 2> "$work/err" || status=$?
    [ "$status" -eq 2 ] || fail "$(basename "$zip"): exit status $status, expected 2 ($(cat "$work/err"))"
    grep -qF -- "$want" "$work/err" || fail "$(basename "$zip"): message lacks '$want': $(cat "$work/err")"
    [ ! -e "$out" ] || fail "$(basename "$zip"): an output file was created"
    ls -A "$work" | grep -q '^\.out\.json\.tmp-' && fail "$(basename "$zip"): a temporary file was left behind"
    return 0
}

n=0
for zip in "$samples"/*.zip; do
    expect_refused "$zip" "$(head -n 1 "$zip.error")"
    n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "only $n hostile samples found"
echo "$n hostile samples refused"

# The archive itself is bounded by max-input-bytes, from a file or from standard input.
expect_refused "$BK_SOURCE_DIR/samples/dapeng-2024/budget.zip" "input is larger than the limit of 10240 bytes (max-input-bytes)" \
    --limit max-input-bytes=10K
status=0
"$BK" convert --limit max-input-bytes=10K --from archive - "$work/stdin.json" \
    < "$BK_SOURCE_DIR/samples/dapeng-2024/budget.zip" 2> "$work/err" || status=$?
[ "$status" -eq 2 ] && grep -q 'input is larger than the limit of 10240 bytes' "$work/err" \
    || fail "an archive on standard input above max-input-bytes: status $status, $(cat "$work/err")"

# A failed conversion keeps the file that was there.
echo "keep me" > "$work/existing.json"
if "$BK" convert "$samples/path-traversal.zip" "$work/existing.json" 2> /dev/null; then
    fail "path-traversal.zip was accepted"
fi
[ "$(cat "$work/existing.json")" = "keep me" ] || fail "an existing output was changed by a failed conversion"

# 200 MB of zeros, deflated to about 200 KB. Declared honestly, the ratio gives it away before
# anything is inflated; with the ratio allowed, its declared size passes max-input-bytes.
python3 "$script" --bomb "$work/bomb.zip" 200
expect_refused "$work/bomb.zip" "entry documents/bomb.json: the entry declares 209715200 bytes from"
expect_refused "$work/bomb.zip" "entry documents/bomb.json: the entry declares 209715200 bytes, more than max-input-bytes (104857600)" \
    --limit max-ratio=2000 --limit max-input-bytes=100M

# The same zeros under a header that declares 1000 bytes: only counting what comes out of the
# inflater can catch it, and it must stop at once, not after inflating 200 MB.
python3 "$script" --bomb "$work/liar.zip" 200 --declare 1000
python3 - "$BK" "$work/liar.zip" "$work/liar.json" <<'PY'
import resource, subprocess, sys, time
bk, zip_path, out = sys.argv[1:]
start = time.monotonic()
p = subprocess.run([bk, "convert", zip_path, out], capture_output=True, text=True)
elapsed = time.monotonic() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
assert p.returncode == 2, "exit status %d: %s" % (p.returncode, p.stderr)
want = "entry documents/bomb.json: the entry inflates to more than its declared 1000 bytes"
assert want in p.stderr, p.stderr
# Inflating 200 MB would need 200 MB of memory; stopping at the first read needs a few MB
# (sanitizer builds add their own overhead, hence the margin).
assert peak_kib < 150 * 1024, "peak memory %d KiB: the bomb was inflated" % peak_kib
print("lying bomb refused in %.2f s, peak memory %d KiB" % (elapsed, peak_kib))
PY

# Unusual but sound archives read like the document they hold: the ZIP64 end records and
# extra fields, and a name written in GB18030 without the UTF-8 flag (it is read as GB18030).
doc="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
python3 "$script" --readable "$doc" "$work/readable"
"$BK" convert "$doc" "$work/direct.json"
for zip in "$work"/readable/*.zip; do
    "$BK" convert "$zip" "$work/via.json" 2> "$work/err" || fail "$(basename "$zip") was refused: $(cat "$work/err")"
    cmp -s "$work/direct.json" "$work/via.json" || fail "$(basename "$zip") reads differently from $doc"
done
"$BK" validate --format json "$work/readable/gbk-name.zip" > "$work/gbk.report" || true
grep -qF 'documents/预算.json' "$work/gbk.report" || fail "the GB18030 name is not in the report as UTF-8"

echo "archive hostile: ok"
