#!/bin/bash
# Output that cannot be written: a full device on standard output, a destination whose folder
# does not exist, a destination under a regular file, a read-only folder (when not root), and
# a failed conversion over an existing file. Each gives exit status 2, an error naming the
# output, no partial file and no temporary left behind, and keeps what was there.
set -euo pipefail

: "${BK:?}" "${BK_SOURCE_DIR:?}"
sample=samples/dapeng-2024/budget.json
source "$BK_SOURCE_DIR/tests/support/check.sh"

no_temporaries() {
    local left
    left=$(find "$1" -name '.*.tmp-*' 2>/dev/null | head -3)
    [ -z "$left" ] || fail "$2: temporaries left behind: $left"
}

# ---- a full device on standard output ----
# A device of our own when we may make one (root), so that a faulty program can never damage
# the system's /dev/full; otherwise the system's, provided it is still a device.
full=""
if mknod "$t/full" c 1 7 2>/dev/null && [ -c "$t/full" ]; then
    full=$t/full
elif [ -c /dev/full ]; then
    full=/dev/full
fi
if [ -z "$full" ]; then
    echo "SKIP: no full device (/dev/full is not a character device and mknod is refused)"
else
    for to in json xml archive csv; do
        run_bk plugins
        grep -qE "^  $to " "$t/out" || continue # format not in this build
        status=0
        timeout 60 "$BK" convert --to "$to" "$sample" - >"$full" 2>"$t/err" || status=$?
        expect_refusal "convert --to $to to a full standard output" "cannot write|No space"
    done
    status=0
    timeout 60 "$BK" info "$sample" >"$full" 2>"$t/err" || status=$?
    expect_refusal "info to a full standard output" "cannot write|No space"
    run_bk plugins
    if grep -qE '^  [a-z-]+ +[^ ]+ +[a-z,]*validate' "$t/out"; then
        status=0
        timeout 60 "$BK" validate "$sample" >"$full" 2>"$t/err" || status=$?
        expect_refusal "validate to a full standard output" "cannot write|No space"
    fi
    status=0
    timeout 60 "$BK" plugins >"$full" 2>"$t/err" || status=$?
    expect_refusal "plugins to a full standard output" "cannot write|No space"
fi

# ---- the destination's folder does not exist ----
run_bk convert "$sample" "$t/missing/out.json"
expect_refusal "destination in a missing folder" "missing/out\.json.*(No such file|cannot create)"
[ ! -e "$t/missing" ] || fail "a folder was created for a destination in a missing folder"

# ---- a path component is a regular file ----
echo "a file, not a folder" >"$t/plain"
run_bk convert "$sample" "$t/plain/out.json"
expect_refusal "destination under a regular file" "plain/out\.json.*(Not a directory|cannot create)"
[ "$(cat "$t/plain")" = "a file, not a folder" ] || fail "the regular file was changed"

# ---- a folder without write permission (root ignores permissions) ----
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$t/readonly"
    echo "old" >"$t/readonly/out.json"
    chmod 555 "$t/readonly"
    run_bk convert "$sample" "$t/readonly/out.json"
    expect_refusal "destination in a read-only folder" "readonly/out\.json.*(Permission denied|cannot create)"
    [ "$(cat "$t/readonly/out.json")" = "old" ] || fail "the file in the read-only folder changed"
    chmod 755 "$t/readonly"
else
    echo "note: running as root, the read-only folder case is not testable and is skipped"
fi

# ---- an existing folder as the destination keeps what is already in it ----
mkdir -p "$t/dir.json"
echo "inside" >"$t/dir.json/keep.txt"
run_bk convert --to json "$sample" "$t/dir.json/"
if [ "$status" -ne 0 ]; then
    fail "converting into an existing folder failed (status $status)"
fi
[ "$(cat "$t/dir.json/keep.txt")" = "inside" ] || fail "a file already in the output folder changed"
no_temporaries "$t" "conversion into a folder"

# ---- a failed conversion keeps the existing output ----
cp "$sample" "$t/existing.json"
sum=$(cksum <"$t/existing.json")
printf '{"format": "budgetkit-budget", "version": 1, "fiscal_year": ' >"$t/broken.json"
run_bk convert --from json "$t/broken.json" "$t/existing.json"
expect_refusal "truncated input over an existing output" "broken\.json"
[ "$(cksum <"$t/existing.json")" = "$sum" ] || fail "a failed conversion changed the existing output"
no_temporaries "$t" "failed conversion"

# ---- the input is missing: nothing is created ----
run_bk convert "$t/no-such-input.json" "$t/created.json"
expect_refusal "missing input" "no-such-input\.json"
[ ! -e "$t/created.json" ] || fail "a missing input created the output"
no_temporaries "$t" "missing input"

if [ "$failures" -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "unwritable outputs: all refused with exit 2, nothing partial left"
