#!/bin/bash
# A conversion interrupted mid-write (SIGINT, SIGTERM, SIGHUP) dies from the signal, leaves no
# temporary file or staging folder, and leaves the existing output exactly as it was.
set -euo pipefail

: "${BK:?}"
sample=samples/dapeng-2024/budget.json
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

signum() { kill -l "$1"; }

# A big input: many copies of the sample, one after another (the JSON reader's bulk form), and
# a folder of many one-document inputs.
copies=400
for _ in $(seq "$copies"); do cat "$sample"; done >"$tmp/big.json"
mkdir "$tmp/many"
for i in $(seq -w 1 "$copies"); do ln -s "$PWD/$sample" "$tmp/many/unit-$i.json"; done

# wait_for_progress PID GLOB: until a file matching GLOB has data (the output is being
# written), or the program has ended. Returns 1 in the latter case.
wait_for_progress() {
    local p=$1 glob=$2 f
    for _ in $(seq 1200); do
        kill -0 "$p" 2>/dev/null || return 1
        for f in $glob; do
            if [ -f "$f" ] && [ -s "$f" ]; then return 0; fi
        done
        sleep 0.05
    done
    return 1
}

leftovers() { find "$tmp" -name '.*.tmp-*' | head -5; }

# interrupt LABEL SIG GLOB: once the conversion running as $pid writes to GLOB, sends it SIG and
# checks that it died from the signal. Returns 1 when it ended before it could be interrupted.
interrupt() {
    local label=$1 sig=$2 glob=$3 status=0
    if ! wait_for_progress "$pid" "$glob"; then
        wait "$pid" || status=$?
        pid=""
        fail "$label: the conversion ended (status $status) before it could be interrupted"
        return 1
    fi
    kill -s "$sig" "$pid"
    { wait "$pid"; } 2>/dev/null || status=$?
    pid=""
    local want=$((128 + $(signum "$sig")))
    [ "$status" -eq "$want" ] || fail "$label: exit status $status, expected death by the signal ($want)"
}

# ---- a single output file ----
"$BK" convert "$sample" "$tmp/out.zip"
before=$(cksum <"$tmp/out.zip")
for sig in INT TERM HUP; do
    "$BK" convert --from json "$tmp/big.json" "$tmp/out.zip" 2>"$tmp/stderr" &
    pid=$!
    interrupt "SIG$sig" "$sig" "$tmp/.out.zip.tmp-*" || continue
    left=$(leftovers)
    [ -z "$left" ] || fail "SIG$sig: temporaries left behind: $left"
    [ "$(cksum <"$tmp/out.zip")" = "$before" ] || fail "SIG$sig: the existing output changed"
    rm -f "$tmp"/.out.zip.tmp-*
done

# ---- an existing output folder (staged inside it, then its files moved into place) ----
mkdir "$tmp/outdir"
echo "already there" >"$tmp/outdir/keep.txt"
for sig in INT TERM; do
    "$BK" convert --to json "$tmp"/many/*.json "$tmp/outdir/" 2>"$tmp/stderr" &
    pid=$!
    interrupt "SIG$sig (folder)" "$sig" "$tmp/outdir/.budgetkit.tmp-*/*" || continue
    left=$(leftovers)
    [ -z "$left" ] || fail "SIG$sig (folder): staging left behind: $left"
    [ "$(ls -A "$tmp/outdir")" = "keep.txt" ] ||
        fail "SIG$sig (folder): the output folder changed: $(find "$tmp/outdir" -mindepth 1 | head -3 | tr '\n' ' ')"
    [ "$(cat "$tmp/outdir/keep.txt")" = "already there" ] ||
        fail "SIG$sig (folder): a file already in the output folder changed"
    rm -rf "$tmp"/outdir/.budgetkit.tmp-*
done

if [ "$failures" -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "interrupted conversions: no temporaries, existing outputs intact"
