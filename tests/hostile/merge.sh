#!/usr/bin/env bash
# Separate inputs are merged into one budget only when everything both declare agrees, and a
# finding about a merged-in table names the file and line it was read from.
set -euo pipefail

: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"

# a.json: T07 alone; b.json: T08 alone, as published one table a file. BAD_T08 breaks a figure
# of T08; the other arguments change what b declares.
split() {
    python3 - "$sample" "$t" "$@" <<'PY'
import json, sys
sample, work, *changes = sys.argv[1:]
d = json.load(open(sample, encoding="utf-8"))
def part(tid):
    p = dict(d)
    p["tables"] = [t for t in d["tables"] if t["id"] == tid]
    return p
a, b = part("T07"), part("T08")
b = json.loads(json.dumps(b))
b.pop("performance", None)
b.pop("narrative", None)
for c in changes:
    if c == "code":
        b["department"]["code"] = "999001"
    elif c == "precision":
        b["precision"] = 4
    elif c == "parent":
        b["units"].append({"id": "u9", "name": "另一单位", "kind": "subunit", "parent": "u1"})
        a["units"] = a["units"] + [{"id": "u9", "name": "另一单位", "kind": "subunit", "parent": "dept"}]
    elif c == "bad":
        b["tables"][0]["rows"][0]["cells"]["total"] = "9999.99"
json.dump(a, open(work + "/a.json", "w", encoding="utf-8"), ensure_ascii=False, indent=1)
json.dump(b, open(work + "/b.json", "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
}

# Parts that agree make one document.
split
"$BK" convert "$t/a.json" "$t/b.json" "$t/one.json"
"$BK" info "$t/one.json" > "$t/info" 2>&1 || true
[ "$(grep -c '"format"' "$t/one.json")" -eq 1 ] || die "agreeing parts were not merged"

# Parts that disagree on the department code, the precision or a unit's parent stay two.
for change in code precision parent; do
    split "$change"
    "$BK" convert "$t/a.json" "$t/b.json" "$t/two.json"
    [ "$(grep -c '"format"' "$t/two.json")" -eq 2 ] ||
        die "parts that differ in $change were merged into one document"
done

# A finding in the merged-in table names b.json and its line in b.json.
split bad
# The row's line: where its object opens, the last '{' before the broken figure.
line=$(awk '/^ *\{ *$/ { open = NR } /"9999.99"/ { print open; exit }' "$t/b.json")
status=0
"$BK" validate "$t/a.json" "$t/b.json" > "$t/report" 2>&1 || status=$?
[ "$status" -eq 1 ] || die "validate of a broken merged part: status $status"
grep -q "b.json:$line: T08 " "$t/report" || die "no finding at b.json:$line: $(cat "$t/report")"
if grep ': T08 \[' "$t/report" | grep -vq "^$t/b.json:"; then
    die "a finding about T08 names another file: $(cat "$t/report")"
fi
echo "merge checks passed"
