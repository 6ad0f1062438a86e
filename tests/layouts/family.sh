#!/usr/bin/env bash
# --layout-family: the tables are read with that family's layouts only. The family the tables
# match is the default, so naming it changes nothing; naming another keeps every printed figure
# (what its layouts do not know stays a generic table); a family that does not exist is a usage
# error that writes nothing.
set -uo pipefail
source "$BK_SOURCE_DIR/tests/layouts/common.sh"
cd "$BK_SOURCE_DIR"
tables=samples/putuo-caizhengju-2025-dept/tables
"$BK" convert "$tables" "$out/auto.json" 2>/dev/null
check "the Putuo tables convert" '[ $? -eq 0 ]'
"$BK" convert --layout-family shanghai "$tables" "$out/shanghai.json" 2>/dev/null
check "--layout-family shanghai reads them the same" 'cmp -s "$out/auto.json" "$out/shanghai.json"'
"$BK" --layout-family jiangsu-2019 convert "$tables" "$out/jiangsu.json" 2>"$out/jiangsu.err"
check "--layout-family jiangsu-2019 (before the command) converts too" '[ $? -eq 0 ]'
check "  with no Shanghai layout" \
  '! grep -q "\"SH0" "$out/jiangsu.json" && grep -q "layout.unknown-table" "$out/jiangsu.err"'
check "  and every printed figure of the Shanghai reading" 'python3 - "$out/auto.json" "$out/jiangsu.json" <<'"'"'PY'"'"'
import json, sys
from collections import Counter
def figures(path):
    doc = json.load(open(path, encoding="utf-8"))
    return Counter(v for t in doc["tables"] for r in t["rows"] for v in r["cells"].values()
                   if isinstance(v, str) and v.replace(".", "").replace("-", "").isdigit())
a, b = figures(sys.argv[1]), figures(sys.argv[2])
# The generic tables also hold the codes as cells (类 201 款 06): more, never fewer.
sys.exit(0 if a and not a - b else "lost %s" % (a - b))
PY'
"$BK" convert --layout-family nowhere "$tables" "$out/none.json" 2>"$out/none.err"
check "an unknown family is a usage error" \
  '[ $? -eq 2 ] && grep -q "no layout family is called \"nowhere\"" "$out/none.err"'
check "  that writes nothing" '[ ! -e "$out/none.json" ]'
"$BK" validate --layout-family shanghai "$tables" >"$out/report.txt" 2>"$out/report.err"
check "validate takes it too" 'grep -q "1 document, 0 errors" "$out/report.txt"'
check "  and checks the Shanghai tables' rules (18 notes on them)" \
  'grep -q " 18 info" "$out/report.txt" && ! grep -q "unknown-table" "$out/report.err"'
"$BK" validate --layout-family jiangsu-2019 "$tables" >"$out/report-js.txt" 2>"$out/report-js.err"
check "validate --layout-family jiangsu-2019 reads them as generic tables" \
  '[ "$(grep -c "layout.unknown-table" "$out/report-js.err")" -eq 9 ] && grep -q " 0 info" "$out/report-js.txt"'
echo "layout families: $fails failed"
[ "$fails" -eq 0 ]
