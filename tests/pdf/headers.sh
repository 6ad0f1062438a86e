#!/usr/bin/env bash
# Headers printed over several rows and columns read as their layouts from the PDFs: a label
# centred over columns (“三公”经费预算数 over six, 预算数 over 合计 | 基本支出 | 项目支出) spans
# them, and a label centred between header rows (合计 beside 公务用车购置及运行费 / 小计,
# 机关运行经费预算数 beside all three) is in the header, not a caption above the table. The
# tables read as the CSV editions give them, with their printed figures; a header label
# moved far off its columns still keeps every figure. Jiangsu's JS09 likewise.
source tests/pdf/common.sh
for name in putuo-caizhengju-2025-dept putuo-shangwuwei-2025-dept putuo-shangwuwei-2025-unit; do
  convert_pdf $name
  if grep -E 'layout\.(header-by-position|unknown-table)|is no column of its layout' "$tmp/$name.err"; then
    echo "$name: a header not read as printed"; exit 1
  fi
  python3 tests/layouts/figures.py "$tmp/$name.json" tests/data/$name-figures.tsv
  # SH09 (and the unit's SH01) row for row as the sample read from the CSV edition.
  python3 - "$tmp/$name.json" samples/$name/budget.json <<'PY'
import json, sys
def table(path, tid):
    t = [t for t in json.load(open(path, encoding="utf-8"))["tables"] if t["id"] == tid]
    assert t, "%s: no %s" % (path, tid)
    return {k: v for k, v in t[0].items() if k != "rows"}, t[0]["rows"]
ids = ["SH09"] + (["SH01"] if "unit" in sys.argv[1] else [])
for tid in ids:
    got, want = table(sys.argv[1], tid), table(sys.argv[2], tid)
    assert got == want, (tid, got, want)
print("%s: %s as the CSV edition reads" % (sys.argv[1].rsplit("/", 1)[-1], ", ".join(ids)))
PY
done
# The unit's 财务收支预算总表: 24 figures under 合计, 人员经费, 公用经费 and 项目支出.
python3 - "$tmp/putuo-shangwuwei-2025-unit.json" <<'PY'
import json, sys
t = [t for t in json.load(open(sys.argv[1], encoding="utf-8"))["tables"] if t["id"] == "SH01"][0]
cols = {}
for r in t["rows"]:
    for k in r["cells"]:
        cols[k] = cols.get(k, 0) + 1
assert cols == {"amount": 11, "personnel": 5, "public": 3, "project": 5}, cols
print("SH01 of the unit: its 支出 side split into 人员经费, 公用经费 and 项目支出")
PY
# Jiangsu's 三公 table: “三公”经费 over six columns beside 合计, 会议费 and 培训费 printed over
# all four header rows, 公务用车购置 / 费 and 公务用车运行 / 维护费 wrapped side by side over
# narrow columns (the 购置费 one printed empty).
name=jiangsu-shengwei-bangongting-2019-tables
convert_pdf $name
if grep -E 'JS09.*(header-by-position|is no column)' "$tmp/$name.err"; then
  echo "$name: JS09 not read by its header"; exit 1
fi
python3 - "$tmp/$name.json" <<'PY'
import json, sys
t = [t for t in json.load(open(sys.argv[1], encoding="utf-8"))["tables"] if t["id"] == "JS09"][0]
assert "columns" not in t and len(t["rows"]) == 1, t
want = {"total": "1471.70", "three": "508.20", "abroad": "70.00", "vehicle": "411.20",
        "vehicle_running": "411.20", "reception": "27.00", "meeting": "933.50",
        "training": "30.00"}
assert t["rows"][0]["cells"] == want, t["rows"][0]["cells"]
print("JS09: its 8 printed figures under their headers")
PY
# Jiangsu's 收支预算总表: 支出 over 功能分类 (功能科目名称 | 金额) and 支出用途 (项目名称 | 金额);
# 当年支出小计, 结转下年资金 and 支出合计 are printed centred over merged cells, apart from
# every column: they are the labels of their rows, not a column of their own.
python3 - "$tmp/$name.json" <<'PY'
import json, sys
t = [t for t in json.load(open(sys.argv[1], encoding="utf-8"))["tables"]
     if t.get("title") == "收支预算总表"][0]
paths = [(c["path"], c["type"]) for c in t["columns"]]
want = [(["收入", "项目名称"], "text"), (["收入", "金额"], "amount"),
        (["支出", "功能分类", "功能科目名称"], "text"), (["支出", "功能分类", "金额"], "amount"),
        (["支出", "支出用途", "项目名称"], "text"), (["支出", "支出用途", "金额"], "amount")]
assert paths == want, paths
ids = [c["id"] for c in t["columns"]]
foot = [{ids.index(k): v for k, v in r["cells"].items()} for r in t["rows"][-3:]]
assert foot == [{0: "当年收入小计", 1: "27664.22", 2: "当年支出小计", 5: "27664.22"},
                {0: "上年结转资金", 2: "结转下年资金"},
                {0: "收入合计", 1: "27664.22", 2: "支出合计", 5: "27664.22"}], foot
first = {ids.index(k): v for k, v in t["rows"][0]["cells"].items()}
assert first == {0: "一、财政拨款", 1: "27664.22", 2: "一、一般公共服务支出", 3: "22395.50",
                 4: "一、基本支出", 5: "11700.63"}, first
print("收支预算总表: six columns under 收入 and 支出's two groups, its foot labels in their rows")
PY
# The 三公 table as a text layout (pdftotext -layout of the page), then with 公务用车购置及运行费
# moved far right of every column: however the header reads, every figure is kept.
cat >"$tmp/sh09.txt" <<'TXT'
                    2025年部门“三公”经费和机关运行经费预算表
编制部门：上海市普陀区商务委员会                                                单位:万元

                            “三公”经费预算数
                                                             机关运行经费预算
                                          公务用车购置及运行费
                                                                 数
   合计          因公出国(境)费   公务接待费
                                     小计      购置费       运行费


        1.00                  1.00                                171.01
TXT
sed 's/^ *公务用车购置及运行费$/                                                                                                  公务用车购置及运行费/' \
  "$tmp/sh09.txt" >"$tmp/moved.txt"
cmp -s "$tmp/sh09.txt" "$tmp/moved.txt" && { echo "the label was not moved"; exit 1; }
for f in sh09 moved; do
  "$BK" convert "$tmp/$f.txt" "$tmp/$f.json" 2>"$tmp/$f.err" ||
    { echo "$f: convert failed: $(cat "$tmp/$f.err")"; exit 1; }
  python3 - "$tmp/$f.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
got = sorted(v for t in d["tables"] for r in t["rows"] for v in r["cells"].values()
             if v[:1].isdigit())
assert got == ["1.00", "1.00", "171.01"], got
print("%s: its three figures kept" % sys.argv[1].rsplit("/", 1)[-1])
PY
done
echo "pdf headers: passed"
