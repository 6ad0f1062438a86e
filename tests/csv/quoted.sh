#!/usr/bin/env bash
# Line-item CSV as other tools write it: every field quoted (Python's csv.QUOTE_ALL,
# LibreOffice's "quote all text cells", R's write.csv quoting strings), with and without a byte
# order mark, columns in another order. The layout is decided on the parsed header, so each
# reads as the same document, with and without --from csv.
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"

python3 - "$S/budget.csv" "$t" <<'PY'
import csv, sys
src, out = sys.argv[1], sys.argv[2]
with open(src, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
def write(name, quoting, encoding="utf-8", order=None, lineterminator="\r\n"):
    with open(f"{out}/{name}", "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, quoting=quoting, lineterminator=lineterminator)
        for r in rows:
            w.writerow([r[i] for i in order] if order else r)
write("quote-all.csv", csv.QUOTE_ALL)                        # Python QUOTE_ALL, LibreOffice
write("quote-all-bom.csv", csv.QUOTE_ALL, "utf-8-sig")       # ... saved for Excel
write("quote-nonnumeric.csv", csv.QUOTE_NONNUMERIC, lineterminator="\n")  # R write.csv style
write("reordered.csv", csv.QUOTE_ALL, order=[10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
PY
head -c 120 "$t/quote-all.csv" | grep -q '^"record","unit","table"' || { echo "test data not quoted"; exit 1; }

for f in quote-all quote-all-bom quote-nonnumeric reordered; do
  check "$f: read by probing" "$BK" convert "$t/$f.csv" "$t/$f.json"
  check "$f: same document as the sample" cmp -s "$t/$f.json" "$S/budget.json"
  check "$f: read with --from csv" "$BK" convert --from csv "$t/$f.csv" "$t/$f-from.json"
  check "$f: same with --from csv" cmp -s "$t/$f-from.json" "$S/budget.json"
done

# A header naming a column twice or an unknown column is still not the line-item layout.
sed '1s/"section"/"record"/' "$t/quote-all.csv" >"$t/twice.csv"
check "a header naming a column twice is refused" bash -c "! '$BK' convert --from csv '$t/twice.csv' '$t/twice.json' 2>/dev/null"
check "no partial output" test ! -e "$t/twice.json"

finish csv_quoted
