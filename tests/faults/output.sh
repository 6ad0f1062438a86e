#!/bin/bash
# Output that cannot be written: a full device on standard output, a destination whose folder
# does not exist, a destination under a regular file, a read-only folder (when not root), and
# a failed conversion over an existing file. Each gives exit status 2, an error naming the
# output, no partial file and no temporary left behind, and keeps what was there.
set -euo pipefail

: "${BK:?}"
sample=samples/dapeng-2024/budget.json
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    if [ -s "$tmp/stderr" ]; then sed 's/^/    stderr: /' "$tmp/stderr" | head -10; fi
    failures=$((failures + 1))
}

# run ARGS...: the command line, stdout to $tmp/stdout; sets $status.
run() {
    status=0
    timeout 60 "$BK" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || status=$?
}

# expect_error WHAT PATTERN: exit 2 and a "budgetkit: " line matching PATTERN.
expect_error() {
    if [ "$status" -ne 2 ]; then
        fail "$1: exit status $status, expected 2"
    elif ! grep -qE "^budgetkit: .*$2" "$tmp/stderr"; then
        fail "$1: no error matching /$2/"
    fi
}

no_temporaries() {
    local left
    left=$(find "$1" -name '.*.tmp-*' 2>/dev/null | head -3)
    [ -z "$left" ] || fail "$2: temporaries left behind: $left"
}

# ---- a full device on standard output ----
# A device of our own when we may make one (root), so that a faulty program can never damage
# the system's /dev/full; otherwise the system's, provided it is still a device.
full=""
if mknod "$tmp/full" c 1 7 2>/dev/null && [ -c "$tmp/full" ]; then
    full=$tmp/full
elif [ -c /dev/full ]; then
    full=/dev/full
fi
if [ -z "$full" ]; then
    echo "SKIP: no full device (/dev/full is not a character device and mknod is refused)"
else
    for to in json xml archive csv; do
        run plugins
        grep -qE "^  $to " "$tmp/stdout" || continue # format not in this build
        status=0
        timeout 60 "$BK" convert --to "$to" "$sample" - >"$full" 2>"$tmp/stderr" || status=$?
        expect_error "convert --to $to to a full standard output" "cannot write|No space"
    done
    status=0
    timeout 60 "$BK" info "$sample" >"$full" 2>"$tmp/stderr" || status=$?
    expect_error "info to a full standard output" "cannot write|No space"
    run plugins
    if grep -qE '^  [a-z-]+ +[^ ]+ +[a-z,]*validate' "$tmp/stdout"; then
        status=0
        timeout 60 "$BK" validate "$sample" >"$full" 2>"$tmp/stderr" || status=$?
        expect_error "validate to a full standard output" "cannot write|No space"
    fi
    status=0
    timeout 60 "$BK" plugins >"$full" 2>"$tmp/stderr" || status=$?
    expect_error "plugins to a full standard output" "cannot write|No space"
fi

# ---- the destination's folder does not exist ----
run convert "$sample" "$tmp/missing/out.json"
expect_error "destination in a missing folder" "missing/out\.json.*(No such file|cannot create)"
[ ! -e "$tmp/missing" ] || fail "a folder was created for a destination in a missing folder"

# ---- a path component is a regular file ----
echo "a file, not a folder" >"$tmp/plain"
run convert "$sample" "$tmp/plain/out.json"
expect_error "destination under a regular file" "plain/out\.json.*(Not a directory|cannot create)"
[ "$(cat "$tmp/plain")" = "a file, not a folder" ] || fail "the regular file was changed"

# ---- a folder without write permission (root ignores permissions) ----
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$tmp/readonly"
    echo "old" >"$tmp/readonly/out.json"
    chmod 555 "$tmp/readonly"
    run convert "$sample" "$tmp/readonly/out.json"
    expect_error "destination in a read-only folder" "readonly/out\.json.*(Permission denied|cannot create)"
    [ "$(cat "$tmp/readonly/out.json")" = "old" ] || fail "the file in the read-only folder changed"
    chmod 755 "$tmp/readonly"
else
    echo "note: running as root, the read-only folder case is not testable and is skipped"
fi

# ---- an existing folder as the destination keeps what is already in it ----
mkdir -p "$tmp/dir.json"
echo "inside" >"$tmp/dir.json/keep.txt"
run convert --to json "$sample" "$tmp/dir.json/"
if [ "$status" -ne 0 ]; then
    fail "converting into an existing folder failed (status $status)"
fi
[ "$(cat "$tmp/dir.json/keep.txt")" = "inside" ] || fail "a file already in the output folder changed"
no_temporaries "$tmp" "conversion into a folder"

# ---- a failed conversion keeps the existing output ----
cp "$sample" "$tmp/existing.json"
sum=$(cksum <"$tmp/existing.json")
printf '{"format": "budgetkit-budget", "version": 1, "fiscal_year": ' >"$tmp/broken.json"
run convert --from json "$tmp/broken.json" "$tmp/existing.json"
expect_error "truncated input over an existing output" "broken\.json"
[ "$(cksum <"$tmp/existing.json")" = "$sum" ] || fail "a failed conversion changed the existing output"
no_temporaries "$tmp" "failed conversion"

# ---- the input is missing: nothing is created ----
run convert "$tmp/no-such-input.json" "$tmp/created.json"
expect_error "missing input" "no-such-input\.json"
[ ! -e "$tmp/created.json" ] || fail "a missing input created the output"
no_temporaries "$tmp" "missing input"

if [ "$failures" -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "unwritable outputs: all refused with exit 2, nothing partial left"
