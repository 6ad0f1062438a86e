#!/usr/bin/env bash
# Text a spreadsheet would evaluate (=cmd|' /C calc'!A0, +HYPERLINK(…), @SUM(…), -x) leaves
# both CSV layouts with a leading ', and reads back as it was: round trips stay lossless.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The sample with formulas for item names of Table 8 and Table 7's note; names that start
# with a ' already, and a name that is a negative number, must come back as they were too.
python3 - "$sample" "$work/in.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
names = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"http://x.test\",\"x\")", "@SUM(1+1)*cmd|' /C calc'!A0",
         "-2+3", "'=already quoted", "''+twice", "-217.70", "\tTAB", "'plain"]
t8 = [t for t in d["tables"] if t["id"] == "T08"][0]
items = [r for r in t8["rows"] if r["kind"] == "item"]
for r, name in zip(items, names):
    r["name"] = name
t7 = [t for t in d["tables"] if t["id"] == "T07"][0]
t7["note"] = "=1+1"
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
"$BK" convert "$work/in.json" "$work/canon.json"

# unguarded FILE...: print the fields a spreadsheet would evaluate as formulas.
unguarded() {
    python3 - "$@" <<'PY'
import csv, re, sys
number = re.compile(r"^[-+]?[0-9][0-9,]*(\.[0-9]+)?%?$")
for path in sys.argv[1:]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            for field in row:
                if field[:1] in ("=", "+", "-", "@", "\t", "\r") and not number.match(field):
                    print(path, repr(field))
PY
}

# Line items: guarded, and CSV → JSON gives the same document.
"$BK" convert "$work/in.json" "$work/lines.csv"
bad=$(unguarded "$work/lines.csv")
[ -z "$bad" ] || fail "line items pass formulas through: $bad"
grep -qF "'=cmd|' /C calc'!A0" "$work/lines.csv" || fail "no guarded formula in the line items"
grep -qF "'''+twice" "$work/lines.csv" || fail "a name starting with ' is not guarded again"
grep -qF ",-217.70," "$work/lines.csv" || fail "a negative number was guarded"
"$BK" convert "$work/lines.csv" "$work/lines.json"
cmp -s "$work/canon.json" "$work/lines.json" ||
    fail "line items do not read back as written: $(diff "$work/canon.json" "$work/lines.json" | head -5)"
# and the line items written again are the same bytes.
"$BK" convert "$work/lines.csv" "$work/again.csv"
cmp -s "$work/lines.csv" "$work/again.csv" || fail "line items → line items changed the bytes"

# Wide tables: guarded, and read back with the same names and note.
"$BK" convert --layout wide "$work/in.json" "$work/wide/"
bad=$(unguarded "$work"/wide/*.csv)
[ -z "$bad" ] || fail "wide tables pass formulas through: $bad"
"$BK" convert --from csv "$work/wide/" "$work/wide.json"
python3 - "$work/canon.json" "$work/wide.json" <<'PY'
import json, sys
a, b = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:])
def texts(d):
    t8 = [t for t in d["tables"] if t["id"] == "T08"][0]
    t7 = [t for t in d["tables"] if t["id"] == "T07"][0]
    return [r["name"] for r in t8["rows"]], t7.get("note")
if texts(a) != texts(b):
    sys.exit("FAIL: wide tables read back %r, not %r" % (texts(b), texts(a)))
PY
echo "formulas guarded and read back"
