#!/bin/bash
# Run a few command-line conversions and validations under valgrind's memcheck: any leak,
# invalid access or use of uninitialised memory fails the run (exit 9 from valgrind).
#
#   tools/memcheck.sh [BUILD_DIR]
#
# BUILD_DIR is an ordinary (not sanitised) build, default build/. Not part of the test suite:
# it takes a minute or two. Inputs are the samples and a few broken ones, so that error paths
# are checked too.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
bk=$build/tools/budgetkit
if [ ! -x "$bk" ]; then
    echo "tools/memcheck.sh: no budgetkit program in $build/tools (build it first)" >&2
    exit 2
fi
if ! command -v valgrind >/dev/null; then
    echo "tools/memcheck.sh: valgrind is not installed" >&2
    exit 2
fi
if grep -q 'BK_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    echo "tools/memcheck.sh: $build is a sanitised build; valgrind needs an ordinary one" >&2
    exit 2
fi

cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sample=samples/dapeng-2024/budget.json
failures=0
runs=0

# memcheck EXPECTED_STATUS ARGS...: run budgetkit ARGS under valgrind.
memcheck() {
    local expected=$1
    shift
    local status=0
    runs=$((runs + 1))
    valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes \
        --error-exitcode=9 --log-file="$tmp/valgrind.log" \
        "$bk" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || status=$?
    if [ "$status" -eq 9 ] || [ -s "$tmp/valgrind.log" ]; then
        echo "FAIL (memcheck): budgetkit $*"
        sed 's/^/    /' "$tmp/valgrind.log" | head -40
        failures=$((failures + 1))
    elif [ "$status" -ne "$expected" ]; then
        echo "FAIL (exit $status, expected $expected): budgetkit $*"
        sed 's/^/    /' "$tmp/stderr" | head -5
        failures=$((failures + 1))
    else
        echo "ok: budgetkit $*"
    fi
}

has_plugin() { "$bk" plugins | grep -qE "^  $1 "; }

memcheck 0 plugins
memcheck 0 info "$sample"
memcheck 0 convert "$sample" "$tmp/out.json"
if has_plugin xml; then
    memcheck 0 convert "$sample" "$tmp/out.xml"
    memcheck 0 convert "$tmp/out.xml" "$tmp/from-xml.json"
fi
if has_plugin csv; then
    memcheck 0 convert "$sample" "$tmp/out.csv"
    memcheck 0 convert "$tmp/out.csv" "$tmp/from-csv.json"
fi
if has_plugin archive; then
    memcheck 0 convert "$sample" "$tmp/out.zip"
    memcheck 0 convert "$tmp/out.zip" "$tmp/from-zip.json"
fi
memcheck 0 convert --to json "$sample" -
# Validation exits 1 when it finds errors; the sample is consistent.
if "$bk" plugins | grep -qE 'validate'; then
    memcheck 0 validate "$sample"
fi

# Error paths: every broken sample must be refused (2) without leaking.
for f in samples/invalid/*/*; do
    case $f in *.error) continue ;; esac
    [ -f "$f.error" ] || continue
    memcheck 2 convert "$f" "$tmp/refused.json"
done
# Output errors.
memcheck 2 convert "$sample" "$tmp/missing-folder/out.json"

echo "$runs runs under valgrind, $failures failures"
[ "$failures" -eq 0 ]
