#!/usr/bin/env bash
# Layout text (columns by position, a table continued over a page with its header printed
# again) reads to the same figures as the seed document.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BK" convert tests/data/text/dapeng-t07-t08-layout.txt "$tmp/out.json"
python3 tests/text/figures.py samples/dapeng-2024/budget.json "$tmp/out.json" T07 T08
# Every page break of the input fell inside a table: the continuation rows are all there.
grep -c $'\f' tests/data/text/dapeng-t07-t08-layout.txt | grep -qx '[1-9][0-9]*'
# Shanghai's 支出预算总表 as pdftotext -layout prints it (pages 12-13 of the Putuo 财政局 2025
# PDF). Jiangsu prints a table of the same title; neither header reads exactly from the
# text, and the table is Shanghai's: its layout leaves the fewest printed columns unexplained.
# The text centres 支出预算 over 基本支出 alone; 合计 and 项目支出, read under no group, are
# still the layout's columns (the only ones with those labels), not extra columns.
"$BK" convert tests/data/text/putuo-caizhengju-2025-sh03-layout.txt "$tmp/sh03.json" 2>"$tmp/sh03.err"
python3 - "$tmp/sh03.json" samples/putuo-caizhengju-2025-dept/budget.json <<'PY'
import json, sys
from collections import Counter
got = json.load(open(sys.argv[1], encoding="utf-8"))["tables"]
assert [t["id"] for t in got] == ["SH03"], [t["id"] for t in got]
want = [t for t in json.load(open(sys.argv[2], encoding="utf-8"))["tables"] if t["id"] == "SH03"][0]
def figures(t):
    return Counter(v for r in t["rows"] for v in r["cells"].values() if v.replace(".", "").isdigit())
lost = figures(want) - figures(got[0])
assert not lost, lost
assert "columns" not in got[0], got[0]["columns"]
assert got[0]["rows"][0]["cells"] == {"total": "22186440.80", "basic": "16093326.00",
                                      "project": "6093114.80"}, got[0]["rows"][0]
PY
[ ! -s "$tmp/sh03.err" ] || { cat "$tmp/sh03.err"; exit 1; }
echo "text layout: 2 passed"
