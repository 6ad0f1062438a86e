#!/usr/bin/env bash
# A table no layout knows survives every format: the Putuo unit budget, which holds a table
# printed in 万元 inside a 元 document, with a generic table added
# (tests/support/with-generic-table.py); written as XML, line-item CSV, the wide tables, a
# workbook and an archive, each read back gives the same JSON, byte for byte.
set -uo pipefail
source "$BK_SOURCE_DIR/tests/layouts/common.sh"
python3 "$BK_SOURCE_DIR/tests/support/with-generic-table.py" \
  "$BK_SOURCE_DIR/samples/putuo-shangwuwei-2025-unit/budget.json" "$out/made.json"
json=$out/doc.json
"$BK" convert "$out/made.json" "$json"
check "the document holds a generic table" 'grep -q "\"id\": \"generic-1\"" "$json"'
for out_name in budget.xml budget.csv wide/ budget.xlsx budget.zip; do
  opts=()
  [ "$out_name" = wide/ ] && opts=(--layout wide)
  rm -rf "${out:?}/$out_name"
  "$BK" convert "${opts[@]}" "$json" "$out/$out_name" 2>"$out/write.err" &&
    "$BK" convert "$out/$out_name" "$out/back.json" 2>"$out/read.err"
  check "through $out_name and back unchanged" 'cmp -s "$json" "$out/back.json"'
  rm -f "$out/back.json"
done
echo "generic tables in every format: $fails failed"
[ "$fails" -eq 0 ]
