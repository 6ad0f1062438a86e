#!/usr/bin/env bash
# Messages in Chinese and English, chosen by --lang (before or after the command) or the
# locale (LC_ALL, LC_MESSAGES, LANG): usage and input errors, info; info --format json.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
err_has() { # err_has TEXT ENV... -- COMMAND...: the command fails with exit 2 and TEXT on stderr
  local want=$1
  shift
  "$@" >/dev/null 2>"$t/err"
  local rc=$?
  [ "$rc" = 2 ] && grep -qF -- "$want" "$t/err" || { echo "  exit $rc: $(cat "$t/err")"; return 1; }
}
unset LC_ALL LC_MESSAGES
export LANG=C.UTF-8

check "en: unknown command" err_has "unknown command 'frobnicate'" "$BK" frobnicate
check "zh by --lang: unknown command" err_has "未知命令“frobnicate”" "$BK" --lang zh frobnicate
check "zh by LANG: unknown command" err_has "未知命令“frobnicate”" env LANG=zh_CN.UTF-8 "$BK" frobnicate
check "zh by LC_ALL over LANG=en" err_has "未知命令" env LANG=en_US.UTF-8 LC_ALL=zh_CN.UTF-8 "$BK" frobnicate
check "--lang en over a zh locale" err_has "unknown command" env LANG=zh_CN.UTF-8 "$BK" --lang en frobnicate
check "zh: the hint to --help" err_has "请运行“budgetkit convert --help”查看用法。" "$BK" convert --lang zh only-one
check "zh: usage error" err_has "convert 需要至少一个输入和一个输出" "$BK" convert --lang zh only-one
check "zh: unknown option" err_has "未知选项" "$BK" info --lang zh --frob x
check "zh: input error keeps the file name" err_has "nothere.json: 没有该文件或目录" "$BK" --lang zh convert nothere.json "$t/x.json"
check "en: input error" err_has "nothere.json: no such file or folder" "$BK" convert nothere.json "$t/x.json"
check "zh: format cannot be told" err_has "无法判断此输入的格式；请用 --from 指定" bash -c "printf 'hello' | '$BK' convert --lang zh - '$t/y.json'"
check "zh: bad --lang value" err_has "--lang 应为 zh 或 en，而不是“fr”" env LANG=zh_CN.UTF-8 "$BK" info --lang fr x
check "zh: limit message with its value" err_has "限制 max-cells：“lots”不是数字" "$BK" --lang zh convert --limit max-cells=lots "$S/budget.json" "$t/z.json"

"$BK" --lang zh info "$S/budget.json" >"$t/info-zh"
check "zh info: department label" grep -q "^部门         深圳市大鹏新区政务服务数据管理局" "$t/info-zh"
check "zh info: grand total" grep -q "^支出总计     4,115.36（基本支出 1,128.84，项目支出 2,986.52）" "$t/info-zh"
check "zh info: tables" grep -q "^表格         12 张，914 个有值单元格" "$t/info-zh"
check "zh info: no English label left" bash -c "! grep -qE '^(document|department|fiscal|money|units|tables|performance|narrative) ' '$t/info-zh'"
env LANG=zh_CN.UTF-8 "$BK" info "$S/budget.json" >"$t/info-locale"
check "zh info by the locale" cmp -s "$t/info-zh" "$t/info-locale"
"$BK" info "$S/budget.json" >"$t/info-en"
check "en info: grand total" grep -q "^grand total  4,115.36 (basic 1,128.84, project 2,986.52)" "$t/info-en"

"$BK" convert "$S/budget.json" "$S/budget.json" "$t/two.json"
"$BK" info --format json "$t/two.json" >"$t/info.jsonl"
check "info --format json: one object a document" python3 - "$t/info.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 2, lines
for l in lines:
    d = json.loads(l)
    assert d["department"]["name"] == "深圳市大鹏新区政务服务数据管理局"
    assert d["fiscal_year"] == 2024 and d["money_unit"] == "万元" and d["precision"] == 2
    assert (d["grand_total"], d["basic"], d["project"]) == ("4115.36", "1128.84", "2986.52")
    t = {x["id"]: x for x in d["tables"]}
    assert len(t) == 12 and t["T07"]["total"] == "4115.36" and t["T03"]["total"] is None
    assert t["T01"]["rows"] == 34 and d["cells"] == 914 and d["goals"] == 7 and d["indicators"] == 45
PY

finish lang
