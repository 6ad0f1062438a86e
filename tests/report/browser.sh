#!/usr/bin/env bash
# The HTML report rendered by headless Chromium: the seed's report and a three-unit bulk with
# one wrong cell. The DOM the browser built must mark exactly the cells named by the JSON
# report's findings; a unit named "<script>" stays text; a screenshot is taken.
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
source "$BK_SOURCE_DIR/tests/support/browser.sh"
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"

# The seed: the marked cells are exactly those of its findings (one error, two notes).
status=0
"$BK" validate --format html --lang en "$sample" >"$t/seed.html" || status=$?
[ "$status" -eq 1 ] || die "expected exit 1 (the seed's narrative error), got $status"
"$BK" validate --format json "$sample" >"$t/seed.json" || true
render "$t/seed.html"
python3 "$BK_SOURCE_DIR/tests/report/marked.py" "$t/seed.dom" "$t/seed.json" >"$t/seed.cells" \
  || die "seed: $(cat "$t/seed.cells")"
grep -q "(0, 'T05', '政务服务事务', 'change') error" "$t/seed.cells" \
  || die "the narrative error's cell is not marked: $(cat "$t/seed.cells")"
grep -q '<mark>55.24万元</mark>' "$t/seed.dom" || die "the stated figure is not highlighted"

# Three units, one wrong cell (Table 7 行政运行 of the second), a hostile name in the third.
python3 - "$sample" "$t" <<'PY'
import json, sys
sample, out = sys.argv[1], sys.argv[2]
for i, name in enumerate(["甲单位", "乙单位", "<script>alert(1)</script>单位"]):
    d = json.load(open(sample, encoding="utf-8"))
    d["department"]["name"] = name
    d["narrative"] = []
    if i == 1:
        for t in d["tables"]:
            if t["id"] == "T07":
                for r in t["rows"]:
                    if r.get("code") == "2010301":
                        r["cells"]["basic"] = "684.90"
    json.dump(d, open(f"{out}/unit{i}.json", "w", encoding="utf-8"), ensure_ascii=False)
PY
status=0
"$BK" validate --format html --lang zh "$t"/unit0.json "$t"/unit1.json "$t"/unit2.json \
  >"$t/bulk.html" || status=$?
[ "$status" -eq 1 ] || die "expected exit 1 on the wrong cell, got $status"
"$BK" validate --format json "$t"/unit0.json "$t"/unit1.json "$t"/unit2.json >"$t/bulk.json" || true
render "$t/bulk.html"
python3 "$BK_SOURCE_DIR/tests/report/marked.py" "$t/bulk.dom" "$t/bulk.json" >"$t/bulk.cells" \
  || die "bulk: $(cat "$t/bulk.cells")"
grep -q "(1, 'T07', .*) error" "$t/bulk.cells" \
  || die "no error marked in the wrong unit's Table 7: $(cat "$t/bulk.cells")"
if grep -q "(0, .*) error\|(2, .*) error" "$t/bulk.cells"; then
  die "errors marked in the right units: $(cat "$t/bulk.cells")"
fi
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;单位' "$t/bulk.dom" || die "the hostile name is not shown as text"
grep -q '<table class="units">' "$t/bulk.dom" || die "no per-unit summary"
[ -n "${BK_SCREENSHOT:-}" ] && cp "$t/seed.png" "$BK_SCREENSHOT"
echo "report_html_browser: ok"
