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
echo "memory within its bounds"
