#!/usr/bin/env bash
# A name's own characters survive the wide layout: leading full-width spaces (which the
# layout also uses for indentation), leading or trailing spaces and tabs, a leading '. The
# indentation the writer adds still gives the level.
set -euo pipefail

source "$BK_SOURCE_DIR/tests/support/check.sh"
sample=$S/budget.json

python3 - "$sample" "$t/in.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
t4 = [t for t in d["tables"] if t["id"] == "T04"][0]
items = [r for r in t4["rows"] if r["kind"] == "item"]
names = ["\u3000\u3000工资福利支出", " 基本工资", "津贴补贴\t", "'奖金", "\u3000", "''双引"]
for r, name in zip(items, names):
    r["name"] = name
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
"$BK" convert "$t/in.json" "$t/canon.json"
"$BK" convert --layout wide "$t/in.json" "$t/wide/"
"$BK" convert --from csv "$t/wide/" "$t/back.json"
python3 - "$t/canon.json" "$t/back.json" <<'PY'
import json, sys
a, b = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:])
def rows(d):
    t4 = [t for t in d["tables"] if t["id"] == "T04"][0]
    return [(r["name"], r.get("level")) for r in t4["rows"]]
if rows(a) != rows(b):
    for x, y in zip(rows(a), rows(b)):
        if x != y:
            print("  wrote %r, read %r" % (x, y))
    sys.exit("FAIL: names or levels of T04 changed through the wide layout")
PY
# wide → document → wide gives the same bytes.
"$BK" convert --layout wide "$t/back.json" "$t/again/"
for f in "$t"/wide/*.csv; do
    cmp -s "$f" "$t/again/$(basename "$f")" || die "$(basename "$f") changed on the second round"
done
echo "names kept through the wide layout"
