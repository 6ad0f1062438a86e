#!/usr/bin/env bash
# Every reader and validator is O(n log n) or better in units, rows, codes, keys, documents:
# the same shape at n and 10·n must cost at most 25 times as much CPU time (linear work costs
# 10 times, quadratic 100), plus half a second for noise. The inputs are made here by gen.py.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

gen="$BK_SOURCE_DIR/tests/hostile/gen.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# cpu OUTFILE CMD...: run CMD (any exit status but a crash), print its user + system seconds
# (CPU time, not wall time: the machine may be busy with other work).
cpu() {
    local out=$1
    shift
    local status=0
    /usr/bin/time -f '%U %S' -o "$work/time" "$@" > "$out" 2> "$work/stderr" || status=$?
    [ "$status" -le 2 ] || fail "$* exited with status $status: $(tail -3 "$work/stderr")"
    tail -n 1 "$work/time" | awk '{ printf "%.2f\n", $1 + $2 }'
}

# flat NAME SMALL LARGE: the large run may cost at most 25 times the small one (+0.5 s).
flat() {
    awk -v a="$2" -v b="$3" 'BEGIN { exit !(b <= 25 * a + 0.5) }' ||
        fail "$1: ${2}s at n, ${3}s at 10n: more than linear"
    echo "$1: ${2}s at n, ${3}s at 10n"
}

# validate_flat NAME SHAPE N [FORMAT...]: validate SHAPE at N and 10·N read from each FORMAT.
validate_flat() {
    local name=$1 shape=$2 n=$3
    shift 3
    for size in "$n" $((10 * n)); do
        python3 "$gen" "$shape" "$size" > "$work/$size.json"
        for f in "$@"; do
            [ "$f" = json ] || "$BK" convert "$work/$size.json" "$work/$size.$f"
        done
    done
    for f in "$@"; do
        local a b
        a=$(cpu "$work/report" "$BK" validate --from "$f" "$work/$n.$f")
        grep -q "errors" "$work/report" || fail "$name ($f): no report: $(cat "$work/stderr")"
        b=$(cpu "$work/report" "$BK" validate --from "$f" "$work/$((10 * n)).$f")
        grep -q "errors" "$work/report" || fail "$name ($f): no report: $(cat "$work/stderr")"
        flat "$name ($f)" "$a" "$b"
    done
}

# Sub-units, each with its unit row in T07 (65,000 took 18 s to validate).
validate_flat "units" units 2000 json xml csv
# Sub-units and as many rows naming the last of them.
validate_flat "unit rows" unit-rows 2000 json xml csv
# Item rows with codes of their own.
validate_flat "codes" codes 3000 json xml csv
# Documents in a bulk, two of each department: the cross-document check.
validate_flat "documents" bulk 500 json

# Keys of one JSON object sharing their first 16 bytes (100,000 took 23 s): refused for the
# format, but only after the duplicate-key check has seen every key.
python3 "$gen" json-keys 10000 > "$work/k1.json"
python3 "$gen" json-keys 100000 > "$work/k2.json"
a=$(cpu "$work/report" "$BK" validate --from json "$work/k1.json")
b=$(cpu "$work/report" "$BK" validate --from json "$work/k2.json")
flat "JSON keys" "$a" "$b"
