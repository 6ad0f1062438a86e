#!/usr/bin/env bash
# validate --partial over three parts of a bulk, then --merge, reports the findings of validating
# the whole bulk at once: the same finding lines (text) and the same findings (JSON, without the
# report's numbering: ids, explains, explained_by), in another order (formats/partial.md). The bulk: generated department
# budgets, some with a wrong figure, and a department split into its units' budgets whose units
# are spread over three parts, one unit's figure changed after consolidation (department = Σ
# units across files) and one unit's code name changed (one name per code across files).
set -uo pipefail
: "${BULKGEN:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"

g=$t/gen
"$BULKGEN" --documents 12 --seed 7 -d "$g" --catalog "$t/catalog.csv" >/dev/null
python3 "$BK_SOURCE_DIR/tests/support/change-figures.py" "$g" 4
u=$t/units
python3 tests/consolidate/split.py "$S/budget.json" formats/layouts/shenzhen "$u" \
    "深圳市大鹏新区政务服务数据管理局(本级):0.37" "大鹏新区政务服务中心:0.41" "大鹏新区数据资源中心:0.22"
"$BK" consolidate --lang en "$u"/unit*.json "$u/dept.json" >/dev/null 2>&1
python3 tests/support/change-unit-figure.py "$u/unit2.json"
python3 - "$u/unit3.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p, encoding="utf-8"))
for t in d["tables"]:
    for r in t["rows"]:
        if r.get("code") == "2010301":
            r["name"] = "行政运行事务"
json.dump(d, open(p, "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
# Three parts as a batch engine gets them: the department in the first, its units in all three.
cat "$g"/doc-00000[1-4].json >"$t/a.json"
partA=("$t/a.json" "$u/dept.json" "$u/unit1.json")
partB=("$g/doc-000005.json" "$g/doc-000006.json" "$u/unit2.json" "$g/doc-000007.json" "$g/doc-000008.json")
partC=("$u/unit3.json" "$g"/doc-0000{09,10,11,12}.json)
opts=(--lang en --catalog "$t/catalog.csv")

for fmt in text json; do
    "$BK" validate "${opts[@]}" --format $fmt "${partA[@]}" "${partB[@]}" "${partC[@]}" >"$t/whole.$fmt"
    echo $? >"$t/whole.rc"
    for p in A B C; do
        eval "files=(\"\${part$p[@]}\")"
        "$BK" validate "${opts[@]}" --format $fmt --jobs 2 --partial "$t/$p.$fmt.jsonl" "${files[@]}" >"$t/$p.$fmt"
        echo $? >>"$t/parts.$fmt.rc"
    done
    "$BK" validate "${opts[@]}" --format $fmt --merge "$t"/{A,B,C}.$fmt.jsonl >"$t/merge.$fmt" 2>"$t/merge.err"
    echo $? >>"$t/parts.$fmt.rc"
done

findings() { grep -hE '^[^ ]+: .*: (error|warning|rounding|info) \[' "$@" | LC_ALL=C sort; }
findings "$t/whole.text" >"$t/whole.lines"
findings "$t"/{A,B,C,merge}.text >"$t/split.lines"
check "the bulk has findings of both rules across documents" \
    bash -c "grep -q 'totals.submission\]' '$t/whole.lines' && grep -q 'totals.submission-unit\]' '$t/whole.lines' && grep -q 'codes.name-inconsistent\]' '$t/whole.lines'"
check "parts and merge give the finding lines of the whole ($(wc -l <"$t/whole.lines") lines)" \
    cmp -s "$t/whole.lines" "$t/split.lines"
diff "$t/whole.lines" "$t/split.lines" | head -5
check "the parts leave the rules across documents to the merge" \
    bash -c "! grep -qE 'totals.submission|codes.name-inconsistent' '$t'/[ABC].text"
check "the merge reports them" \
    bash -c "grep -q 'totals.submission\]' '$t/merge.text' && grep -q 'codes.name-inconsistent\]' '$t/merge.text'"
check "the merge counts the documents of the whole ($(grep -o '^[0-9]* documents' "$t/whole.text"))" \
    bash -c "[ \"\$(grep -o '^[0-9]* documents' '$t/whole.text')\" = \"\$(grep -o '^[0-9]* documents' '$t/merge.text')\" ]"
check "exit statuses: whole 1, the worst of parts and merge 1" \
    bash -c "[ \$(cat '$t/whole.rc') = 1 ] && [ \$(sort -n '$t/parts.text.rc' | tail -1) = 1 ]"
python3 - "$t" <<'PY' >"$t/json.cmp"
import json, sys
t = sys.argv[1]
def findings(names):
    out = []
    for n in names:
        for f in json.load(open(f"{t}/{n}.json", encoding="utf-8"))["findings"]:
            f.pop("id", None)
            f.pop("explains", None)
            f.pop("explained_by", None)
            out.append(json.dumps(f, ensure_ascii=False, sort_keys=True))
    return sorted(out)
w, s = findings(["whole"]), findings(["A", "B", "C", "merge"])
print("same" if w == s and w else f"differ: {len(w)} whole, {len(s)} split")
PY
check "parts and merge give the JSON findings of the whole ($(cat "$t/json.cmp"))" grep -qx same "$t/json.cmp"
check "a partial file is deterministic (text and json runs, --jobs 2 and 1)" \
    bash -c "cmp -s '$t/A.text.jsonl' '$t/A.json.jsonl' && '$BK' validate ${opts[*]} --jobs 1 --partial '$t/A1.jsonl' ${partA[*]} >/dev/null; cmp -s '$t/A1.jsonl' '$t/A.text.jsonl'"
check "the partial file begins with its header and ends with its count" \
    bash -c "head -1 '$t/A.text.jsonl' | grep -qx '{\"budgetkit_partial\":1,\"validators\":\[\"codes\",\"narrative\",\"totals\"\]}' && tail -1 '$t/A.text.jsonl' | grep -qE '^\{\"end\":\{\"records\":[0-9]+,\"documents\":6\}\}$'"

# ---- broken partial files: refused, naming the file and the line ----
P=$t/A.text.jsonl
n=$(wc -l <"$P")
refused() { # refused NAME PATTERN FILE...: merge exits 2 and stderr matches PATTERN
    local what=$1 pat=$2
    shift 2
    "$BK" validate --lang en --merge "$@" >"$t/out" 2>"$t/err"
    local rc=$?
    if [ $rc = 2 ] && grep -qE -- "$pat" "$t/err" && [ ! -s "$t/out" ]; then return 0; fi
    echo "exit $rc: $(head -c 300 "$t/err")" >&2
    return 1
}
head -c $(( $(stat -c %s "$P") / 2 )) "$P" >"$t/cut.jsonl"
check "a file cut in a line is refused at that line" refused cut "cut.jsonl:[0-9]+: .*truncated" "$t/cut.jsonl"
head -n $((n - 1)) "$P" >"$t/noend.jsonl"
check "a file without its end line is refused" refused noend "noend.jsonl:$((n - 1)): .*truncated" "$t/noend.jsonl"
sed '1s/"budgetkit_partial":1/"budgetkit_partial":2/' "$P" >"$t/v2.jsonl"
check "another format version is refused at line 1" refused version "v2.jsonl:1: .*version 2" "$t/v2.jsonl"
check "a file that is not a partial file is refused" refused foreign "budget.json:1:[0-9]*:? " "$S/budget.json"
: >"$t/empty.jsonl"
check "an empty file is refused" refused empty "empty.jsonl:1: .*empty" "$t/empty.jsonl"
doc=$(grep -n '"totals","record":{"document"' "$P" | head -1 | cut -d: -f1)
sed "${doc}s/\"unit\":[0-9]*/\"unit\":99999/" "$P" >"$t/unit.jsonl"
check "a unit that is not the document's is refused at its line" refused unit "unit.jsonl:$doc: .*unit" "$t/unit.jsonl"
sed -E "${doc}s/,\"([0-9]+)\.([0-9]+)\"\]/,\"1e5\"]/" "$P" >"$t/float.jsonl"
check "a figure that is not an exact decimal is refused" refused float "float.jsonl:$doc: .*exact decimal" "$t/float.jsonl"
sed -E "${doc}s/\[[0-9]+,\"/[4000000,\"/" "$P" >"$t/col.jsonl"
check "a figure in a column never announced is refused" refused column "col.jsonl:$doc: .*not announced" "$t/col.jsonl"
sed "3s/.*/{\"validator\":\"narrative\",\"record\":{}}/" "$P" >"$t/who.jsonl"
check "a record of a validator without partial state is refused" refused who "who.jsonl:3: .*narrative" "$t/who.jsonl"
sed "2s/.*/[1,2,3]/" "$P" >"$t/array.jsonl"
check "a line that is not an object is refused" refused array "array.jsonl:2: " "$t/array.jsonl"
printf '\377\376garbage\n' | cat - "$P" | sed 1d >"$t/bytes.jsonl"
sed "2s/^/\xff/" "$P" >"$t/bytes.jsonl"
check "invalid bytes are refused at their line" refused bytes "bytes.jsonl:2: " "$t/bytes.jsonl"
python3 - "$P" "$t/deep.jsonl" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
lines[1] = '{"validator":"totals","record":' + "[" * 100000 + "]" * 100000 + "}"
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines))
PY
check "a deeply nested line is refused" refused deep "deep.jsonl:2:[0-9]*:? " "$t/deep.jsonl"
"$BK" validate --lang en --only totals --partial "$t/totals.jsonl" "${partB[@]}" >/dev/null
check "parts written by other validators are refused" refused mixed "totals.jsonl:1: .*other validators" "$P" "$t/totals.jsonl"
sed "$((n))s/\"records\":[0-9]*/\"records\":1/" "$P" >"$t/count.jsonl"
check "an end line with another count is refused" refused count "count.jsonl:$n: .*counts 1 records" "$t/count.jsonl"
cat "$P" "$P" | sed "$((n + 1))d" >"$t/after.jsonl"
check "a line after the end line is refused" refused after "after.jsonl:$((n + 1)): .*after the end" "$t/after.jsonl"

# ---- the command line ----
"$BK" validate --lang en --partial "$t/no.jsonl" "$S/budget.json" "$t/missing.json" >/dev/null 2>&1
check "a run that fails leaves no partial file" test ! -e "$t/no.jsonl"
cp "$S/budget.json" "$t/in.json"
"$BK" validate --lang en --partial "$t/in.json" "$t/in.json" >/dev/null 2>"$t/err"
check "a partial file never replaces an input" bash -c "[ $? = 2 ] && cmp -s '$S/budget.json' '$t/in.json' && grep -q 'replace an input' '$t/err'"
"$BK" validate --lang en --partial - "$S/budget.json" >"$t/out" 2>"$t/err"
check "a partial file does not go to standard output" bash -c "[ $? = 2 ] && [ ! -s '$t/out' ]"
"$BK" validate --lang en --merge --only totals "$P" >/dev/null 2>"$t/err"
check "--merge with --only is a usage error" bash -c "[ $? = 2 ] && grep -q -- --merge '$t/err'"
"$BK" validate --lang en --partial "$t/s.jsonl" "$S/budget.json" >/dev/null
"$BK" validate --lang en --merge "$t/s.jsonl" >"$t/s.out"
check "the sample alone: a partial file whose merge finds nothing" \
    bash -c "[ $? = 0 ] && grep -q '^1 document' '$t/s.out' && ! grep -q '\[' '$t/s.out'"

finish partial
