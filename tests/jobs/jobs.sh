#!/usr/bin/env bash
# convert and validate with --jobs 2 and 3 write the same bytes, the same report, the same
# messages and exit with the same status as with --jobs 1: on the seed in every format, on a
# department and its units (the department = Σ units check across files), on a generated
# bulk with errors, on inputs that warn and on an input that cannot be read.
set -uo pipefail
: "${BK:?}" "${BULKGEN:?}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passes=0 failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passes=$((passes + 1)); }

# run NAME JOBS CMD...: stdout, stderr and status into $tmp/NAME.JOBS.{out,err,rc}
run() {
    local name=$1 jobs=$2
    shift 2
    "$@" >"$tmp/$name.$jobs.out" 2>"$tmp/$name.$jobs.err"
    echo $? >"$tmp/$name.$jobs.rc"
}

# same NAME WHAT: what run NAME printed with --jobs 2 and 3 equals what it printed with 1.
same() {
    local name=$1 what=$2
    local ok=1 j f
    for j in 2 3; do
        for f in out err rc; do
            cmp -s "$tmp/$name.1.$f" "$tmp/$name.$j.$f" || { ok=0; fail "$what: --jobs $j's std$f differs from --jobs 1's"; diff "$tmp/$name.1.$f" "$tmp/$name.$j.$f" | head -5 >&2; }
        done
    done
    [ $ok = 1 ] && pass "$what: --jobs 2 and 3 as --jobs 1 (exit $(cat "$tmp/$name.1.rc"))"
}

# both NAME WHAT ARGS... OUT: budgetkit ARGS --jobs J OUT for J = 1, 2, 3, run in the folder
# $tmp/jJ so that OUT (a relative name) and the messages naming it are the same.
both() {
    local name=$1 what=$2
    shift 2
    local out=${!#} j
    for j in 1 2 3; do
        mkdir -p "$tmp/j$j"
        (cd "$tmp/j$j" && run "$name" "$j" "$BK" "${@:1:$#-1}" --jobs "$j" "$out")
    done
    local ok=1
    for j in 2 3; do
        if [ -e "$tmp/j1/$out" ] || [ -e "$tmp/j$j/$out" ]; then
            diff -r "$tmp/j1/$out" "$tmp/j$j/$out" >/dev/null || { ok=0; fail "$what: --jobs $j's $out differs"; }
        fi
    done
    [ $ok = 1 ] && same "$name" "$what"
}

seed=$src/samples/dapeng-2024
dept=$src/samples/putuo-shangwuwei-2025-dept/budget.json
unit=$src/samples/putuo-shangwuwei-2025-unit/budget.json

# ---- the seed in every format, and a department with its unit ----
seeds=("$seed/budget.json" "$seed/budget.xml" "$seed/budget.csv" "$seed/budget.zip" "$seed/wide" "$dept" "$unit")
for fmt in text json; do
    for j in 1 2 3; do
        run "seed-$fmt" "$j" "$BK" validate --lang en --format "$fmt" --jobs "$j" "${seeds[@]}"
    done
    same "seed-$fmt" "validate --format $fmt of the seed in five forms and a department with its unit"
done
both seed-jsonl "convert the seed and the department to JSON Lines" convert "${seeds[@]}" seed.jsonl
both seed-zip "convert them to an archive" convert "${seeds[@]}" seed.zip
both seed-xml "convert them to XML" convert "${seeds[@]}" seed.xml
both seed-csv "convert them to line-item CSV" convert "${seeds[@]}" seed.csv
both seed-dir "convert them to a folder of documents" convert "${seeds[@]:0:5}" seeddir/
both seed-wide "convert the seed to wide tables" convert --layout wide "$seed/budget.json" wide/

# ---- a department split into units, one unit wrong: findings across files ----
u=$tmp/units
python3 "$src/tests/consolidate/split.py" "$seed/budget.json" "$src/formats/layouts/shenzhen" "$u" \
    "深圳市大鹏新区政务服务数据管理局(本级):0.37" "大鹏新区政务服务中心:0.41" "大鹏新区数据资源中心:0.22"
"$BK" consolidate --lang en "$u"/unit*.json "$tmp/dept.json" >/dev/null 2>&1
python3 "$src/tests/support/change-unit-figure.py" "$u/unit2.json"
for j in 1 2 3; do
    run units "$j" "$BK" validate --lang en --skip narrative --jobs "$j" "$tmp/dept.json" "$u"/unit*.json
done
if grep -q "totals.submission" "$tmp/units.1.out"; then
    pass "the changed unit gives department = Σ units findings across files"
else
    fail "no totals.submission finding for a unit changed after consolidation"
fi
same units "validate a department and its units, one changed"

# ---- a generated bulk with errors, warnings and an unreadable input ----
g=$tmp/gen
"$BULKGEN" --documents 30 --seed 5 -d "$g" --catalog "$tmp/catalog.csv" >/dev/null
# Errors: a figure changed in every third document.
python3 "$src/tests/support/change-figures.py" "$g" 3
cat "$g"/*.json >"$tmp/gen-bulk.json"
for fmt in text json; do
    for j in 1 2 3; do
        run "gen-$fmt" "$j" "$BK" validate --lang en --format "$fmt" --catalog "$tmp/catalog.csv" --jobs "$j" "$g"/*.json "$tmp/gen-bulk.json"
    done
    same "gen-$fmt" "validate --format $fmt of 30 generated documents with errors, as files and as one bulk"
done
if [ "$(cat "$tmp/gen-text.1.rc")" = 1 ] && grep -q "error" "$tmp/gen-text.1.out"; then
    pass "the generated bulk has errors to report"
else
    fail "the generated bulk reported no error (exit $(cat "$tmp/gen-text.1.rc"))"
fi
both gen-zip "convert the generated documents into an archive" convert "$g"/*.json gen.zip
for j in 1 2 3; do
    run gen-back "$j" "$BK" validate --lang en --catalog "$tmp/catalog.csv" --jobs "$j" "$tmp/j1/gen.zip"
done
same gen-back "validate the archive written"

# Warnings come in the order of the inputs: wide tables with a full-width figure warn.
for k in 1 2; do
    cp -r "$seed/wide" "$tmp/warn$k"
    python3 - "$tmp/warn$k/T02.csv" "$k" <<'PY'
import re, sys
p, k = sys.argv[1], int(sys.argv[2])
text = open(p, encoding="utf-8-sig").read()
figures = list(re.finditer(r"(?<=,)\d+\.\d\d(?=,|\n)", text))
m = figures[k]
wide = "".join(chr(ord(c) + 0xFEE0) for c in m.group(0))
open(p, "w", encoding="utf-8-sig").write(text[:m.start()] + wide + text[m.end():])
PY
done
for j in 1 2 3; do
    run warn "$j" "$BK" validate --lang en --skip narrative --catalog "$tmp/catalog.csv" --jobs "$j" "$g/doc-000001.json" "$tmp/warn1" "$g/doc-000002.json" "$seed/budget.csv" "$tmp/warn2" "$g/doc-000003.json"
done
if [ "$(grep -c warning "$tmp/warn.1.err")" -ge 2 ]; then
    pass "the changed wide tables warn"
else
    fail "no warning from full-width figures: $(head -c 300 "$tmp/warn.1.err")"
fi
same warn "validate inputs that warn among others"

# An input that cannot be read stops the job at it, with the message of --jobs 1.
printf '{"not": "a budget"' >"$tmp/broken.json"
for j in 1 2 3; do
    run broken "$j" "$BK" validate --lang en --jobs "$j" "$g/doc-000001.json" "$g/doc-000002.json" "$tmp/broken.json" "$g/doc-000003.json"
done
same broken "validate with an unreadable third input"
both broken-convert "convert with an unreadable third input" convert "$g/doc-000001.json" "$g/doc-000002.json" "$tmp/broken.json" "$g/doc-000003.json" broken-out.jsonl
if [ "$(cat "$tmp/broken-convert.1.rc")" = 2 ] && [ ! -e "$tmp/j2/broken-out.jsonl" ]; then
    pass "the failed conversion wrote nothing"
else
    fail "a failed conversion with --jobs 2 left an output or did not exit 2"
fi

# Standard input among files: read in its turn.
for j in 1 2 3; do
    run stdin "$j" "$BK" validate --lang en --catalog "$tmp/catalog.csv" --jobs "$j" "$g/doc-000001.json" - "$g/doc-000003.json" <"$g/doc-000002.json"
done
same stdin "validate a file, standard input and a file"
# A job that stops at an input before standard input does not wait for it (a terminal).
mkfifo "$tmp/never"
for j in 1 3; do
    run stdin-stop "$j" timeout 20 "$BK" validate --lang en --jobs "$j" "$tmp/broken.json" - "$g/doc-000001.json" <>"$tmp/never"
done
if [ "$(cat "$tmp/stdin-stop.3.rc")" = 2 ] && cmp -s "$tmp/stdin-stop.1.err" "$tmp/stdin-stop.3.err"; then
    pass "an unreadable input before standard input ends the job without reading it"
else
    fail "validate --jobs 3 broken.json - waited for standard input or failed otherwise (exit $(cat "$tmp/stdin-stop.3.rc"))"
fi

# Usage.
"$BK" convert --jobs 0 "$seed/budget.json" "$tmp/x.json" 2>"$tmp/usage.err"
if [ $? = 2 ] && grep -q -- "--jobs" "$tmp/usage.err"; then
    pass "--jobs 0 is a usage error"
else
    fail "--jobs 0 was accepted"
fi

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
