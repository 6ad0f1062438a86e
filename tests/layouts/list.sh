#!/usr/bin/env bash
# budgetkit layouts lists the installed families and their tables, as text and as JSON that
# says the same as the layout files; a family of one's own on BUDGETKIT_LAYOUT_PATH is listed
# beside them, and a family that does not exist is a usage error.
set -euo pipefail
: "${BK:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BK" layouts >"$tmp/text"
for want in 'jiangsu-2019: 11 tables' 'shanghai: 9 tables' 'shenzhen: 12 tables' \
            '  JS09   “三公”经费、会议费、培训费支出预算表  (万元)' \
            '         vehicle_running   “三公”经费 / 公务用车购置及运行维护费 / 公务用车运行维护费' \
            '         keys: 类 | 款 | 项 | 功能分类科目名称'; do
  grep -qF -- "$want" "$tmp/text" || { echo "FAIL text lacks: $want"; cat "$tmp/text"; exit 1; }
done
echo "ok   text: families, tables, keys, columns with their header paths"
"$BK" layouts --format json >"$tmp/all.json"
python3 - "$tmp/all.json" formats/layouts <<'PY'
import glob, json, os, sys
got = json.load(open(sys.argv[1], encoding="utf-8"))
names = [f["name"] for f in got["families"]]
assert names == sorted(names) and {"jiangsu-2019", "shanghai", "shenzhen"} <= set(names), names
for fam in got["families"]:
    files = sorted(glob.glob(os.path.join(sys.argv[2], fam["name"], "*.json")))
    assert len(files) == len(fam["tables"]), (fam["name"], len(files), len(fam["tables"]))
    listed = {t["id"]: t for t in fam["tables"]}
    for path in files:
        want = json.load(open(path, encoding="utf-8"))
        t = listed[want["id"]]
        assert t["title"] == want["title"] and t["key_headers"] == want.get("key_headers", [])
        assert t["money_unit"] == want.get("money_unit"), want["id"]
        assert [(c["id"], c["path"], c["type"]) for c in t["columns"]] == \
               [(c["id"], c["path"], c.get("type", "amount")) for c in want["columns"]], want["id"]
print("ok   json: every layout file's title, keys, unit and columns")
PY
mkdir -p "$tmp/mine/acme"
cat >"$tmp/mine/acme/AC01.json" <<'JSON'
{"id": "AC01", "title": "收入\"总\"表", "key_headers": ["项目"],
 "columns": [{"id": "amount", "path": ["金额"]}]}
JSON
BUDGETKIT_LAYOUT_PATH="$tmp/mine" "$BK" layouts --format json acme >"$tmp/acme.json"
python3 - "$tmp/acme.json" <<'PY'
import json, sys
got = json.load(open(sys.argv[1], encoding="utf-8"))
assert [f["name"] for f in got["families"]] == ["acme"], got
assert got["families"][0]["tables"][0]["title"] == '收入"总"表', got
print("ok   a family of one's own, one family asked for, a quote in a title")
PY
status=0
"$BK" layouts no-such-family >/dev/null 2>"$tmp/err" || status=$?
[ "$status" -eq 2 ] && grep -q "no-such-family" "$tmp/err" ||
  { echo "FAIL unknown family: exit $status, $(cat "$tmp/err")"; exit 1; }
echo "ok   an unknown family is refused (exit 2)"
status=0
"$BK" layouts --format yaml >/dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || { echo "FAIL --format yaml: exit $status"; exit 1; }
echo "ok   --format is text or json"
