#!/usr/bin/env bash
# The inputs of the second hostile round, each answered (an error or a report) within a
# generous bound; run by the sanitizer build too, where any report aborts the run.
# The seed's narrative text has findings of its own; these inputs are about the readers and
# the totals, so the narrative validator is skipped.
set -euo pipefail

: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
gen="$BK_SOURCE_DIR/tests/hostile/gen.py"
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"

# answered SECONDS WANT_STATUS WANT_TEXT CMD...: CMD ends within SECONDS of CPU time (not wall
# time: the machine may be busy) with WANT_STATUS and prints WANT_TEXT (on either stream).
answered() {
    local secs=$1 want=$2 text=$3
    shift 3
    local status=0
    (ulimit -t "$secs"; exec "$@") > "$t/out" 2> "$t/err" || status=$?
    [ "$status" -lt 128 ] || die "$* did not answer within ${secs}s of CPU time (status $status)"
    [ "$status" -eq "$want" ] || die "$*: exit status $status, expected $want: $(tail -n 3 "$t/err")"
    grep -qF -- "$text" "$t/out" "$t/err" || die "$*: no '$text' in: $(tail -n 3 "$t/out" "$t/err")"
}

# A wide table whose header is 30 rows tall, read with the limit raised to 64: column paths are
# as tall as the header (a fixed path of 16 labels overran the stack).
{
    printf '2024年一般公共预算支出表（按功能分类）\n单位名称:hostile\n单位:万元\n'
    for i in $(seq 30); do echo "a$i,b,c,d,e,f"; done
    echo "x,,,1.00,1.00,0.00"
} > "$t/tall.csv"
answered 30 0 "generic-1" "$BK" convert --from csv --limit max-header-rows=64 "$t/tall.csv" \
    "$t/tall.json"
grep -q '"a30"' "$t/tall.json" || die "the tall header was not read whole: $(head -c 300 "$t/tall.json")"

# Tables as wide as the column limit (BK_MAX_COLUMNS, 4096) are read by every reader that
# carries them: a 300-column table of a CSV file reads back from its JSON (the JSON reader took
# only 256), and one column more is refused by both readers, not made by one and refused by
# the other.
wide_csv() {
    python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
print("2024年调整表\n单位名称:hostile\n单位:万元")
print(",".join("h%d" % i for i in range(n)))
print(",".join("%d.00" % i for i in range(n)))
PY
}
wide_csv 300 > "$t/wide300.csv"
answered 30 0 "with its 300 printed columns" "$BK" convert --from csv "$t/wide300.csv" \
    "$t/wide300.json"
"$BK" convert "$t/wide300.json" "$t/wide300-again.json" || die "a 300-column table is refused as JSON"
cmp -s "$t/wide300.json" "$t/wide300-again.json" || die "a 300-column table changed through JSON"
grep -q '"h299"' "$t/wide300.json" || die "the 300th column was not kept"
wide_csv 4097 > "$t/wide4097.csv"
answered 30 2 "has more than 4096 fields" "$BK" convert --from csv "$t/wide4097.csv" "$t/w.json"
python3 - "$t/wide300.json" "$t/wide4097.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
cols = d["tables"][0]["columns"]
cols += [{"id": "x%d" % i, "type": "text"} for i in range(4097 - len(cols))]
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
answered 30 2 '"columns" lists more than 4096 columns' "$BK" convert "$t/wide4097.json" "$t/w.json"

# 100,000 root keys sharing their first 16 bytes.
python3 "$gen" json-keys 100000 > "$t/keys.json"
answered 30 2 "keys.json" "$BK" validate --skip narrative --from json "$t/keys.json"

# 65,000 sub-units, each with a unit row in T07; then 100,000 more rows naming the last one
# (complexity.sh checks that the work grows linearly beyond).
python3 "$gen" units 65000 > "$t/units.json"
answered 60 0 "1 document, 0 errors" "$BK" validate --skip narrative "$t/units.json"
python3 - "$t/units.json" "$t/rows.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
rows = d["tables"][0]["rows"]
rows += [dict(rows[-1]) for _ in range(100000)]
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
answered 60 0 "1 document, 0 errors" "$BK" validate --skip narrative "$t/rows.json"

# One element with 400,000 attributes: refused at the compiled limit, before libxml2 compares
# them pairwise.
python3 "$gen" xml-attrs 400000 > "$t/attrs.xml"
answered 30 2 "attrs.xml:2:1: a start tag has more than 256 attributes" \
    "$BK" validate --skip narrative --from xml "$t/attrs.xml"
# 256 are still read (and refused for what they are, not for their number).
python3 "$gen" xml-attrs 256 > "$t/attrs256.xml"
status=0
"$BK" validate --skip narrative --from xml "$t/attrs256.xml" 2> "$t/err" || status=$?
[ "$status" -eq 2 ] && ! grep -q "more than 256 attributes" "$t/err" ||
    die "256 attributes: status $status, $(cat "$t/err")"

# A bulk in which two documents belong to one department (the sample twice, back to back),
# then a third of another department: the cross-document check runs on both groups.
cat "$sample" "$sample" > "$t/twice.json"
sed 's/深圳市大鹏新区政务服务数据管理局/深圳市大鹏新区文化教育局/g' "$sample" >> "$t/twice.json"
answered 30 0 "3 documents" "$BK" validate --skip narrative "$t/twice.json"
answered 30 0 '"documents": 3' "$BK" validate --skip narrative --format json "$t/twice.json"
# The same with no unit row in any document (nothing packed for the cross-document check).
python3 - "$sample" "$t/nounits.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
for t in d["tables"]:
    t["rows"] = [r for r in t["rows"] if r["kind"] != "unit"]
text = json.dumps(d, ensure_ascii=False)
open(sys.argv[2], "w", encoding="utf-8").write(text + "\n" + text + "\n")
PY
answered 30 0 "2 documents" "$BK" validate --skip narrative "$t/nounits.json"
echo "hostile inputs answered"
