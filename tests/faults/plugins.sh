#!/bin/bash
# Plugins that load and then misbehave (tests/faults/fault_plugin.c) are reported, and the
# command line neither crashes nor writes output. Loading failures (wrong ABI, missing entry
# point, not a shared object) are tests/loader's.
set -euo pipefail

: "${BK:?}" "${BK_BUILD_DIR:?}"
sample=samples/dapeng-2024/budget.json
plugins=$BK_BUILD_DIR/tests/faults
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    if [ -s "$tmp/stderr" ]; then sed 's/^/    stderr: /' "$tmp/stderr" | head -10; fi
    failures=$((failures + 1))
}

# run VARIANT ARGS...: the command line with one fault plugin's folder; sets $status.
run() {
    local variant=$1
    shift
    status=0
    timeout 60 "$BK" --plugin-path "$plugins/plugins-$variant" "$@" >"$tmp/stdout" \
        2>"$tmp/stderr" || status=$?
}

# expect_refusal WHAT PATTERN: exit 2, one "budgetkit: " line matching PATTERN, no signal.
expect_refusal() {
    local what=$1 pattern=$2
    if [ "$status" -ne 2 ]; then
        fail "$what: exit status $status, expected 2"
    elif ! grep -qE "^budgetkit: .*$pattern" "$tmp/stderr"; then
        fail "$what: no error matching /$pattern/"
    elif grep -qE 'runtime error:|Sanitizer' "$tmp/stderr"; then
        fail "$what: a sanitizer complained"
    fi
}

for v in silent greedy odd liar; do
    if [ ! -f "$plugins/plugins-$v/bk-$v.so" ]; then
        echo "FAIL: the fault plugin $plugins/plugins-$v/bk-$v.so was not built"
        exit 1
    fi
    run "$v" plugins
    if [ "$status" -ne 0 ] || ! grep -qE "^  $v +0\.0 " "$tmp/stdout"; then
        fail "plugins does not list the loaded $v plugin"
    fi
done

# ---- an importer that fails without a message ----
run silent convert "$sample" "$tmp/out.json" --from silent
expect_refusal "reader failing silently" "budget\.json.*the silent reader failed"
[ ! -e "$tmp/out.json" ] || fail "a failed read left $tmp/out.json"

# ---- an exporter that writes a little, then fails without a message ----
echo "previous contents" >"$tmp/keep.silent"
sum=$(cksum <"$tmp/keep.silent")
run silent convert "$sample" "$tmp/keep.silent"
expect_refusal "writer failing silently" "the silent writer failed"
[ "$(cksum <"$tmp/keep.silent")" = "$sum" ] || fail "a failed write changed the existing output"
left=$(find "$tmp" -name '.*.tmp-*' | head -3)
[ -z "$left" ] || fail "a failed write left a temporary file: $left"

# ---- a validator that fails without a message ----
run silent validate "$sample" --only silent
expect_refusal "validator failing silently" "the silent validator failed"

# ---- a probe that claims 1000 out of 100 ----
# An explicit --from still reaches the real reader, whatever another plugin claims.
run greedy convert "$sample" "$tmp/explicit.json" --from json
if [ "$status" -ne 0 ] || ! cmp -s "$sample" "$tmp/explicit.json"; then
    fail "with a greedy plugin loaded, --from json does not convert the sample (status $status)"
fi
# Probing: the score is clamped to 100, so the greedy plugin may win; then its empty read
# must be reported, not crash or write anything.
run greedy convert "$sample" "$tmp/probed.json"
if [ "$status" -eq 0 ]; then
    cmp -s "$sample" "$tmp/probed.json" || fail "probing with a greedy plugin changed the output"
else
    expect_refusal "greedy probe" "holds no budget document|greedy"
    [ ! -e "$tmp/probed.json" ] || fail "a refused conversion left $tmp/probed.json"
fi

# ---- statuses outside bk_status, and a negative probe score ----
run odd convert "$sample" "$tmp/odd.json" --from odd
expect_refusal "reader returning an unknown status" "the odd reader failed|unknown error"
[ ! -e "$tmp/odd.json" ] || fail "a failed read left $tmp/odd.json"
run odd convert "$sample" "$tmp/odd-probed.json"
if [ "$status" -ne 0 ] || ! cmp -s "$sample" "$tmp/odd-probed.json"; then
    fail "a plugin probing -1000 disturbed the conversion of the sample (status $status)"
fi
run odd convert "$sample" "$tmp/out.odd"
expect_refusal "writer returning an unknown status" "the odd writer failed|unknown error"
[ ! -e "$tmp/out.odd" ] || fail "a failed write left $tmp/out.odd"

# ---- an importer that emits an empty (invalid) document, or NULL ----
run liar convert "$sample" "$tmp/liar.json" --from liar
expect_refusal "reader emitting an empty document" "budget\.json"
[ ! -e "$tmp/liar.json" ] || fail "an invalid document produced $tmp/liar.json"
run liar info "$sample" --from liar
expect_refusal "info on an empty document" "budget\.json"
run liar convert "$sample" "$tmp/liar.json" --from liar --option liar=null
expect_refusal "reader emitting NULL" "out of memory"
[ ! -e "$tmp/liar.json" ] || fail "a NULL document produced $tmp/liar.json"

if [ "$failures" -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "misbehaving plugins: all reported, no crash, no output"
