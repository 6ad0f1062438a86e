#!/usr/bin/env bash
# Text a spreadsheet would evaluate (=cmd|' /C calc'!A0, +HYPERLINK(…), @SUM(…), -x) leaves
# both CSV layouts with a leading ', and reads back as it was: round trips stay lossless.
set -euo pipefail

source "$BK_SOURCE_DIR/tests/support/check.sh"
sample=$S/budget.json

# The sample with formulas for item names of Table 8 and Table 7's note; names that start
# with a ' already, and a name that is a negative number, must come back as they were too.
python3 - "$sample" "$t/in.json" <<'PY'
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
"$BK" convert "$t/in.json" "$t/canon.json"

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
"$BK" convert "$t/in.json" "$t/lines.csv"
bad=$(unguarded "$t/lines.csv")
[ -z "$bad" ] || die "line items pass formulas through: $bad"
grep -qF "'=cmd|' /C calc'!A0" "$t/lines.csv" || die "no guarded formula in the line items"
grep -qF "'''+twice" "$t/lines.csv" || die "a name starting with ' is not guarded again"
grep -qF ",-217.70," "$t/lines.csv" || die "a negative number was guarded"
"$BK" convert "$t/lines.csv" "$t/lines.json"
cmp -s "$t/canon.json" "$t/lines.json" ||
    die "line items do not read back as written: $(diff "$t/canon.json" "$t/lines.json" | head -5)"
# and the line items written again are the same bytes.
"$BK" convert "$t/lines.csv" "$t/again.csv"
cmp -s "$t/lines.csv" "$t/again.csv" || die "line items → line items changed the bytes"

# Wide tables: guarded, and read back with the same names and note.
"$BK" convert --layout wide "$t/in.json" "$t/wide/"
bad=$(unguarded "$t"/wide/*.csv)
[ -z "$bad" ] || die "wide tables pass formulas through: $bad"
"$BK" convert --from csv "$t/wide/" "$t/wide.json"
python3 - "$t/canon.json" "$t/wide.json" <<'PY'
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
