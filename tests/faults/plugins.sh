#!/bin/bash
# Plugins that load and then misbehave (tests/faults/fault_plugin.c) are reported, and the
# command line neither crashes nor writes output. Loading failures (wrong ABI, missing entry
# point, not a shared object) are tests/loader's.
set -euo pipefail

: "${BK:?}" "${BK_BUILD_DIR:?}" "${BK_SOURCE_DIR:?}"
sample=samples/dapeng-2024/budget.json
plugins=$BK_BUILD_DIR/tests/faults
source "$BK_SOURCE_DIR/tests/support/check.sh"

# run VARIANT ARGS...: the command line with one fault plugin's folder; sets $status.
run() {
    local variant=$1
    shift
    run_bk --plugin-path "$plugins/plugins-$variant" "$@"
}

for v in silent greedy odd liar; do
    if [ ! -f "$plugins/plugins-$v/bk-$v.so" ]; then
        echo "FAIL: the fault plugin $plugins/plugins-$v/bk-$v.so was not built"
        exit 1
    fi
    run "$v" plugins
    if [ "$status" -ne 0 ] || ! grep -qE "^  $v +0\.0 " "$t/out"; then
        fail "plugins does not list the loaded $v plugin"
    fi
done

# ---- an importer that fails without a message ----
run silent convert "$sample" "$t/out.json" --from silent
expect_refusal "reader failing silently" "budget\.json.*the silent reader failed"
[ ! -e "$t/out.json" ] || fail "a failed read left $t/out.json"

# ---- an exporter that writes a little, then fails without a message ----
echo "previous contents" >"$t/keep.silent"
sum=$(cksum <"$t/keep.silent")
run silent convert "$sample" "$t/keep.silent"
expect_refusal "writer failing silently" "the silent writer failed"
[ "$(cksum <"$t/keep.silent")" = "$sum" ] || fail "a failed write changed the existing output"
left=$(find "$t" -name '.*.tmp-*' | head -3)
[ -z "$left" ] || fail "a failed write left a temporary file: $left"

# ---- a validator that fails without a message ----
run silent validate "$sample" --only silent
expect_refusal "validator failing silently" "the silent validator failed"

# ---- a probe that claims 1000 out of 100 ----
# An explicit --from still reaches the real reader, whatever another plugin claims.
run greedy convert "$sample" "$t/explicit.json" --from json
if [ "$status" -ne 0 ] || ! cmp -s "$sample" "$t/explicit.json"; then
    fail "with a greedy plugin loaded, --from json does not convert the sample (status $status)"
fi
# Probing: the score is clamped to 100, so the greedy plugin may win; then its empty read
# must be reported, not crash or write anything.
run greedy convert "$sample" "$t/probed.json"
if [ "$status" -eq 0 ]; then
    cmp -s "$sample" "$t/probed.json" || fail "probing with a greedy plugin changed the output"
else
    expect_refusal "greedy probe" "holds no budget document|greedy"
    [ ! -e "$t/probed.json" ] || fail "a refused conversion left $t/probed.json"
fi

# ---- statuses outside bk_status, and a negative probe score ----
run odd convert "$sample" "$t/odd.json" --from odd
expect_refusal "reader returning an unknown status" "the odd reader failed|unknown error"
[ ! -e "$t/odd.json" ] || fail "a failed read left $t/odd.json"
run odd convert "$sample" "$t/odd-probed.json"
if [ "$status" -ne 0 ] || ! cmp -s "$sample" "$t/odd-probed.json"; then
    fail "a plugin probing -1000 disturbed the conversion of the sample (status $status)"
fi
run odd convert "$sample" "$t/out.odd"
expect_refusal "writer returning an unknown status" "the odd writer failed|unknown error"
[ ! -e "$t/out.odd" ] || fail "a failed write left $t/out.odd"

# ---- an importer that emits an empty (invalid) document, or NULL ----
run liar convert "$sample" "$t/liar.json" --from liar
expect_refusal "reader emitting an empty document" "budget\.json"
[ ! -e "$t/liar.json" ] || fail "an invalid document produced $t/liar.json"
run liar info "$sample" --from liar
expect_refusal "info on an empty document" "budget\.json"
run liar convert "$sample" "$t/liar.json" --from liar --option liar=null
expect_refusal "reader emitting NULL" "out of memory"
[ ! -e "$t/liar.json" ] || fail "a NULL document produced $t/liar.json"

if [ "$failures" -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "misbehaving plugins: all reported, no crash, no output"
