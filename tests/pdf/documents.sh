#!/usr/bin/env bash
# The real Putuo publications (and the Jiangsu one) convert as documents with every printed figure (checked against
# the figures lists made from pdftotext -layout), and validate with the findings a reader of
# them finds by hand: a figure the text states ten times too large, and a note under an empty
# table that names another table.
source tests/pdf/common.sh
for name in putuo-caizhengju-2025-dept putuo-shangwuwei-2025-dept putuo-shangwuwei-2025-unit; do
  convert_pdf $name
  python3 tests/pdf/check_document.py "$tmp/$name.json" tests/data/pdf/$name.figures.tsv
  "$BK" info --lang en "$tmp/$name.json" >"$tmp/info"
  grep -q 'fiscal year  2025' "$tmp/info" || { cat "$tmp/info"; exit 1; }
  grep -q '上海市普陀区' "$tmp/info" || { cat "$tmp/info"; exit 1; }
done
# 财政拨款收支预算总表 prints its sides with their own columns (收入 预算数; 支出 合计, 一般公共预算,
# ...): read as SH04 from the three documents, the 支出 label centred over its wider side; the
# unit's text runs the empty headers 政府性基金预算 国有资本经营预算 together into one cell.
python3 - "$tmp/putuo-caizhengju-2025-dept.json" "$tmp/putuo-shangwuwei-2025-dept.json" \
  "$tmp/putuo-shangwuwei-2025-unit.json" <<'PY'
import json, sys
for path, total in zip(sys.argv[1:], ["31214205.80", "371514655.00", "371514655.00"]):
    t = [t for t in json.load(open(path, encoding="utf-8"))["tables"] if t["id"] == "SH04"][0]
    got = {(r["section"], r["name"]): r["cells"] for r in t["rows"] if r["kind"] == "total"}
    assert got == {("income", "收入总计"): {"amount": total},
                   ("expenditure", "支出总计"): {"total": total, "general": total}}, got
print("SH04: 收入总计 预算数 and 支出总计 合计 / 一般公共预算 read from the three documents")
PY
# The unit's SH08 heads its name column 部门经济分类科目名称 (the department's 经济分类科目名称):
# read as SH08, every row and figure as the sample transcribed from the same page.
python3 - "$tmp/putuo-shangwuwei-2025-unit.json" samples/putuo-shangwuwei-2025-unit/budget.json <<'PY'
import json, sys
def sh08(path):
    t = [t for t in json.load(open(path, encoding="utf-8"))["tables"] if t["id"] == "SH08"]
    assert t, "%s: no SH08" % path
    return [(r["kind"], r.get("code"), r["name"], r["cells"]) for r in t[0]["rows"]]
got, want = sh08(sys.argv[1]), sh08(sys.argv[2])
assert got == want and len(got) == 31, (len(got), len(want))
print("SH08 of the unit: its 31 rows as printed, under 部门经济分类科目名称")
PY
status=0
"$BK" validate --lang en --format json "$tmp/putuo-caizhengju-2025-dept.json" >"$tmp/rep" || status=$?
[ "$status" -eq 1 ] || { echo "validate: exit $status, expected 1"; exit 1; }
python3 - "$tmp/rep" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
errors = [f for f in r["findings"] if f["severity"] == "error"]
# Once: pages 7 and 8 both hold items 7-11 of the 编制说明 in their text layer (each page
# shows a part of them); the narrative reads them once.
assert len(errors) == 1 and errors[0]["rule"] == "narrative.code" and \
    "887.36" in errors[0]["message_en"], errors
assert any(f["rule"] == "narrative.note-wrong-table" for f in r["findings"])
print("validate: the stated 887.36万元 against 873,617.00元, and the note naming another table")
PY
python3 - "$tmp/putuo-caizhengju-2025-dept.json" <<'PY'
import json, sys
text = "\n".join(p["text"] for p in json.load(open(sys.argv[1], encoding="utf-8"))["narrative"])
for said in ["887.36万", "购房补贴（项）”268.77万元", "行政单位医疗（项）”78.21万元"]:
    assert text.count(said) == 1, (said, text.count(said))
print("narrative: the lines repeated at the head of page 8 are read once")
PY
# Read straight from the PDF, warnings and findings name the page and the line of text on it
# (the 8th printed line of page 15 is 201 06 财政事务 of the functional expenditure table).
status=0
"$BK" validate --lang en --skip narrative --format json tests/data/pdf/putuo-caizhengju-2025-dept.pdf \
  >"$tmp/rep" 2>"$tmp/warn" || status=$?
[ "$status" -le 1 ] || { echo "validate pdf: exit $status: $(cat "$tmp/warn")"; exit 1; }
if grep -v 'putuo-caizhengju-2025-dept\.pdf#page=[0-9]*:[0-9]' "$tmp/warn" | grep -q warning; then
  echo "a warning without its page:"; grep -v '#page=' "$tmp/warn"; exit 1
fi
python3 - "$tmp/rep" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
at = [f["location"] for f in r["findings"]
      if f["location"].get("table") == "SH05" and f["location"].get("row") == "20106"]
assert at and at[0].get("page") == 15 and at[0].get("line") == 8, at
print("validate pdf: findings at page 15, line 8; every warning names its page")
PY
for name in putuo-shangwuwei-2025-dept putuo-shangwuwei-2025-unit; do
  "$BK" validate --lang en "$tmp/$name.json" | tail -1 | grep -q ' 0 errors' ||
    { echo "$name: unexpected errors"; exit 1; }
done
# Jiangsu 2019, the older national layout in 万元: with no option, its tables as the
# jiangsu-2019 family declares them, every printed figure, and no error.
name=jiangsu-shengwei-bangongting-2019-tables
convert_pdf $name
python3 tests/pdf/check_document.py "$tmp/$name.json" tests/data/pdf/$name.figures.tsv
python3 tests/pdf/check_cells.py "$tmp/$name.json" tests/data/pdf/$name.cells.tsv
"$BK" info --lang en "$tmp/$name.json" >"$tmp/info"
for want in 'fiscal year  2019' '中共江苏省委办公厅' 'money unit   万元'; do
  grep -q "$want" "$tmp/info" || { cat "$tmp/info"; exit 1; }
done
"$BK" validate --lang en "$tmp/$name.json" >"$tmp/rep" || true
tail -1 "$tmp/rep" | grep -q ' 0 errors, 0 warnings' || { echo "$name: unexpected findings"; cat "$tmp/rep"; exit 1; }
# 20805 prints its 2019 name (行政事业单位离退休), not the shipped 2024 catalogue's: information.
grep -q 'JS05 row 20805 (行政事业单位离退休): the 2024 catalogue names 20805' "$tmp/rep" ||
  { echo "$name: no catalogue-year note on 20805"; cat "$tmp/rep"; exit 1; }
! grep -q 'codes.name-mismatch' "$tmp/rep" || { echo "$name: a name mismatch across years"; exit 1; }
echo "pdf documents: 2 passed, 0 failed"
