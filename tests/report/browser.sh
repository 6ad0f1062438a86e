#!/usr/bin/env bash
# The HTML report rendered by headless Chromium: the seed's report and a three-unit bulk with
# one wrong cell. The DOM the browser built must mark exactly the cells named by the JSON
# report's findings; a unit named "<script>" stays text; a screenshot is taken.
set -euo pipefail

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIP: no chromium found (Debian package 'chromium', see tools/install-deps.sh)"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"

render() { # FILE.html -> FILE.dom (and FILE.png)
  local html=$1
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$out/profile" --dump-dom "file://$html" >"${html%.html}.dom" 2>"$out/browser.log" \
    || fail "chromium could not render $html: $(tail -3 "$out/browser.log")"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$out/profile" --window-size=1280,1600 --screenshot="${html%.html}.png" \
    "file://$html" >/dev/null 2>>"$out/browser.log" || fail "no screenshot of $html"
  [ -s "${html%.html}.png" ] || fail "empty screenshot of $html"
}

# The seed: the marked cells are exactly those of its findings (one error, two notes).
status=0
"$BK" validate --format html --lang en "$sample" >"$out/seed.html" || status=$?
[ "$status" -eq 1 ] || fail "expected exit 1 (the seed's narrative error), got $status"
"$BK" validate --format json "$sample" >"$out/seed.json" || true
render "$out/seed.html"
python3 "$BK_SOURCE_DIR/tests/report/marked.py" "$out/seed.dom" "$out/seed.json" >"$out/seed.cells" \
  || fail "seed: $(cat "$out/seed.cells")"
grep -q "(0, 'T05', '政务服务事务', 'change') error" "$out/seed.cells" \
  || fail "the narrative error's cell is not marked: $(cat "$out/seed.cells")"
grep -q '<mark>55.24万元</mark>' "$out/seed.dom" || fail "the stated figure is not highlighted"

# Three units, one wrong cell (Table 7 行政运行 of the second), a hostile name in the third.
python3 - "$sample" "$out" <<'PY'
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
"$BK" validate --format html --lang zh "$out"/unit0.json "$out"/unit1.json "$out"/unit2.json \
  >"$out/bulk.html" || status=$?
[ "$status" -eq 1 ] || fail "expected exit 1 on the wrong cell, got $status"
"$BK" validate --format json "$out"/unit0.json "$out"/unit1.json "$out"/unit2.json >"$out/bulk.json" || true
render "$out/bulk.html"
python3 "$BK_SOURCE_DIR/tests/report/marked.py" "$out/bulk.dom" "$out/bulk.json" >"$out/bulk.cells" \
  || fail "bulk: $(cat "$out/bulk.cells")"
grep -q "(1, 'T07', .*) error" "$out/bulk.cells" \
  || fail "no error marked in the wrong unit's Table 7: $(cat "$out/bulk.cells")"
if grep -q "(0, .*) error\|(2, .*) error" "$out/bulk.cells"; then
  fail "errors marked in the right units: $(cat "$out/bulk.cells")"
fi
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;单位' "$out/bulk.dom" || fail "the hostile name is not shown as text"
grep -q '<table class="units">' "$out/bulk.dom" || fail "no per-unit summary"
[ -n "${BK_SCREENSHOT:-}" ] && cp "$out/seed.png" "$BK_SCREENSHOT"
echo "report_html_browser: ok"
