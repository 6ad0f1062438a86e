#!/usr/bin/env bash
# The differences as an HTML page rendered by headless Chromium. B is the seed with one changed
# figure, one renamed code, one removed row, a renamed row whose new name is markup and an
# added paragraph. The DOM the browser built must mark exactly the cells the JSON output names,
# on both sides; the markup stays text; a screenshot is taken.
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
source "$BK_SOURCE_DIR/tests/support/browser.sh"
seed="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"

python3 - "$seed" "$t/b.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
for t in d["tables"]:
    if t["id"] == "T07":
        for r in t["rows"]:
            if r.get("code") == "2010301":
                r["cells"]["basic"] = "685.00"          # one changed figure
    if t["id"] == "T08":
        for r in t["rows"]:
            if r.get("code") == "30199":
                r["code"] = "30198"                     # one renamed code
            if r.get("code") == "30101":
                r["name"] = "基本工资<script>alert(1)</script>"
    if t["id"] == "T05":
        t["rows"] = [r for r in t["rows"] if r["name"] != "大厅运营事务"]  # one removed row
d["narrative"][0]["text"] = d["narrative"][0]["text"].replace("\n\n", "\n\n新增一段<i>说明</i>。\n\n", 1)
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY

status=0
"$BK" diff --format html --lang en "$seed" "$t/b.json" >"$t/diff.html" || status=$?
[ "$status" -eq 1 ] || die "expected exit 1 on different budgets, got $status"
"$BK" diff --format json "$seed" "$t/b.json" >"$t/diff.json" || true
render "$t/diff.html" 1400,1800
python3 "$BK_SOURCE_DIR/tests/diff/marks.py" "$t/diff.dom" "$t/diff.json" >"$t/marks" \
  || die "marks: $(cat "$t/marks")"
cat "$t/marks"
want() { grep -qxF "$1" "$t/marks" || die "not marked: $1"; }
want "a T07 2010301 basic d-changed"
want "b T07 2010301 basic d-changed"
want "a T08 30199 #code d-recoded"
want "b T08 30198 #code d-recoded"
want "a T05 大厅运营事务 row d-removed"
want "a T08 30101  d-renamed"
want "b T08 30101  d-renamed"
want "b para 第一部分 部门概况 2 d-added"
[ "$(grep -c '' "$t/marks")" -eq 8 ] || die "marks other than these eight"
grep -qF '基本工资&lt;script&gt;alert(1)&lt;/script&gt;' "$t/diff.dom" || die "the markup in a name is not text"
grep -qF '新增一段&lt;i&gt;说明&lt;/i&gt;。' "$t/diff.dom" || die "the markup in a paragraph is not text"
[ -n "${BK_SCREENSHOT:-}" ] && cp "$t/diff.png" "$BK_SCREENSHOT"
echo "diff_html_browser: ok"
