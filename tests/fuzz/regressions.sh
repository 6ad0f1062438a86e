#!/bin/bash
# Replays every input the fuzzers ever found (tests/fuzz/regressions/FORMAT/*) through the
# command line: `convert` must succeed or refuse the input (exit 0 or 2) and `validate` must
# finish (0, 1 or 2); neither may die from a signal or trip a sanitizer. An input that
# converts must convert back: the JSON written for it is read again (exit 0) and gives the
# same JSON, since every accepted document has a lossless JSON form.
#
# FORMAT is the folder name and goes to --from; a file named `options` in the folder holds
# extra arguments for both commands (one line, e.g. `--option layout=wide`).
set -euo pipefail

: "${BK:?BK must name the budgetkit program}"
: "${BK_SOURCE_DIR:?}"
root="$BK_SOURCE_DIR/tests/fuzz/regressions"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# A sanitizer error must not pass for "validation errors found" (exit 1).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"

failures=0
count=0

# check NAME STATUS ALLOWED... : the exit status must be one of ALLOWED and stderr clean.
check() {
    local what=$1 status=$2
    shift 2
    local ok=0 s
    for s in "$@"; do
        [ "$status" -eq "$s" ] && ok=1
    done
    if [ $ok -eq 0 ]; then
        if [ "$status" -gt 128 ]; then
            echo "FAIL: $what died from signal $((status - 128))"
        else
            echo "FAIL: $what exited with $status (expected one of: $*)"
        fi
        sed 's/^/    /' "$out/stderr" | head -20
        failures=$((failures + 1))
    elif grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' "$out/stderr"; then
        echo "FAIL: $what tripped a sanitizer"
        sed 's/^/    /' "$out/stderr" | head -20
        failures=$((failures + 1))
    fi
}

for dir in "$root"/*/; do
    [ -d "$dir" ] || continue
    format=$(basename "$dir")
    extra=()
    if [ -f "$dir/options" ]; then
        read -r -a extra <"$dir/options"
    fi
    for input in "$dir"*; do
        [ -f "$input" ] || continue
        case $(basename "$input") in options | README*) continue ;; esac
        count=$((count + 1))
        rel=${input#"$BK_SOURCE_DIR"/}
        rm -f "$out/converted.json"
        status=0
        timeout 60 "$BK" convert --from "$format" "${extra[@]}" "$input" "$out/converted.json" \
            >/dev/null 2>"$out/stderr" || status=$?
        check "convert $rel" "$status" 0 2
        if [ "$status" -eq 2 ] && [ -e "$out/converted.json" ]; then
            echo "FAIL: convert $rel refused the input but left an output file"
            failures=$((failures + 1))
        fi
        if [ "$status" -eq 0 ]; then
            rm -f "$out/again.json"
            status=0
            timeout 60 "$BK" convert --from json "$out/converted.json" "$out/again.json" \
                >/dev/null 2>"$out/stderr" || status=$?
            check "reading back the JSON written for $rel" "$status" 0
            if [ "$status" -eq 0 ] && ! cmp -s "$out/converted.json" "$out/again.json"; then
                echo "FAIL: the JSON written for $rel changes when read and written again"
                failures=$((failures + 1))
            fi
        fi
        status=0
        timeout 60 "$BK" validate --from "$format" "${extra[@]}" "$input" \
            >/dev/null 2>"$out/stderr" || status=$?
        check "validate $rel" "$status" 0 1 2
    done
done

if [ "$count" -eq 0 ]; then
    echo "FAIL: no regression input found under $root"
    exit 1
fi
echo "$count regression inputs replayed, $failures failures"
[ "$failures" -eq 0 ]
