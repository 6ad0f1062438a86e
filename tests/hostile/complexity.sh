#!/usr/bin/env bash
# Every reader and validator is O(n log n) or better in units, rows, codes, keys, attributes,
# documents and archive entries: the same shape at n and 10·n must cost at most 25
# times as much work (linear work costs 10 times, n log n about 13, quadratic 100). Work is
# counted in instructions (valgrind's callgrind), which do not depend on how busy the machine
# is; the cost of a run at size 1 (start-up, plugins, layouts) is taken off both sides.
# The inputs are made here by gen.py.
#
# Valgrind cannot run a sanitizer build: there each shape is read at 10·n once, so that the
# sanitizers see the same paths; the counting is done by the normal build's run of this test.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

gen="$BK_SOURCE_DIR/tests/hostile/gen.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sanitized=0
if grep -q '^BK_SANITIZE:BOOL=ON' "$BK_BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
    sanitized=1
elif ! command -v valgrind >/dev/null; then
    fail "valgrind is needed to count instructions (tools/install-deps.sh installs it)"
fi

# count OUTFILE CMD...: run CMD (any exit status but a crash) and print the instructions it
# executed; in the sanitizer build run it and print 0.
count() {
    local out=$1
    shift
    local status=0
    if [ "$sanitized" = 1 ]; then
        "$@" > "$out" 2> "$work/stderr" || status=$?
        [ "$status" -le 2 ] || fail "$* exited with status $status: $(tail -3 "$work/stderr")"
        echo 0
        return
    fi
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" > "$out" \
        2> "$work/stderr" || status=$?
    [ "$status" -le 2 ] || fail "$* exited with status $status: $(tail -3 "$work/stderr")"
    sed -n 's/^summary: *//p' "$work/cg.out"
}

# flat NAME AT1 ATN AT10N: the work beyond size 1 may grow at most 25 times from n to 10·n
# (CAPPED=I instead: work that a compiled limit caps stays below I instructions at 10·n).
flat() {
    if [ "$sanitized" = 1 ]; then
        echo "$1: read at 10n"
        return
    fi
    awk -v a="$2" -v b="$3" -v c="$4" -v cap="${CAPPED:-0}" \
        'BEGIN { exit !(cap > 0 ? c - a <= cap : c - a <= 25 * (b - a)) }' ||
        fail "$1: $2 instructions at 1, $3 at n, $4 at 10n: more than n log n"
    awk -v name="$1" -v a="$2" -v b="$3" -v c="$4" -v n="$5" 'BEGIN {
        printf "%s: %.0f instructions an item at n, %.0f at 10n (x%.1f from n to 10n)\n",
            name, (b - a) / n, (c - a) / (10 * n), (c - a) / (b - a) }'
}

# sizes N: the sizes a shape is measured at (only 10·N in the sanitizer build).
sizes() {
    if [ "$sanitized" = 1 ]; then
        echo $((10 * $1))
    else
        echo 1 "$1" $((10 * $1))
    fi
}

# measure NAME N CMD-WITH-@: run CMD with @ replaced by each size, compare the work.
measure() {
    local name=$1 n=$2
    shift 2
    local counts=() size
    for size in $(sizes "$n"); do
        local cmd=()
        for arg in "$@"; do cmd+=("${arg//@/$size}"); done
        counts+=("$(count "$work/report" "${cmd[@]}")")
        grep -q "document\|^budgetkit: " "$work/report" "$work/stderr" ||
            fail "$name at $size: no report: $(tail -3 "$work/stderr")"
    done
    flat "$name" "${counts[@]}" "$n"
}

# validate_flat NAME SHAPE N [FORMAT...]: validate SHAPE at sizes 1, N and 10·N read from each
# FORMAT (json, xml, csv line items, wide CSV tables, zip archive).
validate_flat() {
    local name=$1 shape=$2 n=$3
    shift 3
    for size in $(sizes "$n"); do
        python3 "$gen" "$shape" "$size" > "$work/$size.json"
        for f in "$@"; do
            case $f in
            json) ;;
            wide) "$BK" convert --layout wide "$work/$size.json" "$work/$size.wide" ;;
            *) "$BK" convert "$work/$size.json" "$work/$size.$f" ;;
            esac
        done
    done
    for f in "$@"; do
        local from=$f
        [ "$f" = wide ] && from=csv
        [ "$f" = zip ] && from=archive
        measure "$name ($f)" "$n" "$BK" validate --from "$from" "$work/@.$f"
    done
}

# Sub-units, each with its unit row in T07 (65,000 took 18 s to validate, 90 s from wide CSV).
validate_flat "units" units 500 json xml csv wide
# Sub-units and as many rows naming the last of them.
validate_flat "unit rows" unit-rows 500 json xml csv wide
# Item rows with codes of their own.
validate_flat "codes" codes 500 json xml csv wide
# Documents in a bulk, two of each department (the cross-document check), and the same bulk as
# an archive: entries and the data package's resources.
validate_flat "documents" bulk 200 json zip

# Keys of one JSON object sharing their first 16 bytes (100,000 took 23 s): refused for the
# format, but only after the duplicate-key check has seen every key.
for size in $(sizes 5000); do python3 "$gen" json-keys "$size" > "$work/$size.keys"; done
measure "JSON keys" 5000 "$BK" validate --from json "$work/@.keys"

# Attributes of one XML element, up to the compiled limit of 256. libxml2 compares each
# attribute name with those before it (quadratic: about 15 instructions a pair), and at 25
# attributes the growth is within the run-to-run noise of the whole job, so the ratio says
# nothing: the limit is what bounds the work (250 attributes: about 0.5 M instructions beyond
# one), and 400,000 attributes are refused at the 257th.
for size in $(sizes 25); do python3 "$gen" xml-attrs "$size" > "$work/$size.attrs"; done
CAPPED=2000000 measure "XML attributes" 25 "$BK" validate --from xml "$work/@.attrs"


# Header rows are not measured here: each height up to max-header-rows is tried against the
# layouts, so that work grows with the square of that limit (formats/limits.md), not with the
# input.
