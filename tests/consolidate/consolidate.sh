#!/usr/bin/env bash
# consolidate: the seed split into three units and consolidated back gives the seed's department
# rows; printed department rows are compared; conflicts are refused naming both files.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
here="$BK_SOURCE_DIR/tests/consolidate"
seed="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
templates="$BK_SOURCE_DIR/formats/layouts/shenzhen"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # check NAME COMMAND... : the command must succeed
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}
status_is() { # status_is WANT COMMAND...
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] || { echo "  exit $got, expected $want: $(head -c 300 "$tmp/err")"; return 1; }
}
rows() { python3 "$here/rows.py" "$@"; }
# Python edits of a JSON budget: edit IN OUT 'python statement on d'
edit() { python3 -c "
import json,sys
d=json.load(open(sys.argv[1],encoding='utf-8'))
$3
json.dump(d,open(sys.argv[2],'w',encoding='utf-8'),ensure_ascii=False,indent=2)" "$1" "$2"; }

check "consolidate --help" bash -c "'$BK' consolidate --help | grep -q '^Usage: budgetkit consolidate'"

# ---- split and back ----
u="$tmp/units"
python3 "$here/split.py" "$seed" "$templates" "$u" \
  "深圳市大鹏新区政务服务数据管理局(本级):0.37" "大鹏新区政务服务中心:0.41" "大鹏新区数据资源中心:0.22"
for f in "$u"/unit*.json; do
  check "unit $(basename "$f") validates clean" status_is 0 "$BK" validate --skip narrative --lang en "$f"
done
check "consolidate three units" status_is 0 "$BK" consolidate --lang en "$u"/unit1.json "$u"/unit2.json "$u"/unit3.json "$tmp/dept.json"
check "it says what it wrote" grep -q "3 units from 3 documents" "$tmp/err"
check "the result validates clean" status_is 0 "$BK" validate --lang en "$tmp/dept.json"
check "no error in its report" grep -q " 0 errors" "$tmp/out"
rows "$seed" department >"$tmp/seed.dept"
rows "$tmp/dept.json" department | grep '|unit|' >"$tmp/got.dept"
check "department unit rows equal the seed's" diff "$tmp/seed.dept" "$tmp/got.dept"
rows "$seed" self | grep -v '|unit|' >"$tmp/seed.items"
rows "$tmp/dept.json" department | grep -v '|unit|' >"$tmp/got.items"
check "department's rows per code equal the seed's 本级 rows" diff "$tmp/seed.items" "$tmp/got.items"
for i in 1 2 3; do
  name=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['units'][1]['name'])" "$u/unit$i.json")
  rows "$u/unit$i.json" ALL | grep -E '^T(02|04|05|07|08|10|11)\|' >"$tmp/unit.rows"
  rows "$tmp/dept.json" ALL "$name" >"$tmp/unit.got"
  check "unit $i's rows are kept as submitted" diff "$tmp/unit.rows" "$tmp/unit.got"
done
check "T05 percentage recomputed from the sums" bash -c \
  "python3 -c \"
import json;d=json.load(open('$tmp/dept.json'))
t=[t for t in d['tables'] if t['id']=='T05'][0]
r=t['rows'][0]; assert r['kind']=='unit' and r['unit']=='dept', r
assert r['cells']['change_pct']=='11.58', r['cells']
assert r['cells']['change']=='310.0200', r['cells']\""

# any input form gives the same department
mkdir -p "$tmp/folder" && cp "$u"/unit*.json "$tmp/folder/"
check "consolidate a folder" status_is 0 "$BK" consolidate "$tmp/folder" "$tmp/dept-folder.json"
check "folder gives the same bytes" cmp "$tmp/dept.json" "$tmp/dept-folder.json"
"$BK" convert "$u"/unit*.json "$tmp/units.zip" 2>/dev/null
check "consolidate an archive" status_is 0 "$BK" consolidate "$tmp/units.zip" "$tmp/dept-zip.json"
check "archive gives the same bytes" cmp "$tmp/dept.json" "$tmp/dept-zip.json"
for i in 1 2 3; do "$BK" convert "$u/unit$i.json" "$tmp/unit$i.xml"; done
check "consolidate XML units into XML" status_is 0 "$BK" consolidate "$tmp"/unit1.xml "$tmp"/unit2.xml "$tmp"/unit3.xml "$tmp/dept.xml"
check "the XML department validates clean" status_is 0 "$BK" validate "$tmp/dept.xml"
"$BK" convert "$tmp/dept.xml" "$tmp/dept-from-xml.json"
check "XML department is the JSON one" cmp "$tmp/dept.json" "$tmp/dept-from-xml.json"
check "consolidate to standard output" status_is 0 "$BK" consolidate "$u"/unit*.json -
check "standard output holds the document" cmp "$tmp/dept.json" "$tmp/out"
check "twice the same bytes" bash -c "'$BK' consolidate '$u'/unit*.json - 2>/dev/null | cmp - '$tmp/dept.json'"

# ---- printed department rows are compared, not overwritten ----
check "the seed consolidates onto itself" status_is 0 "$BK" consolidate "$seed" "$tmp/self.json"
check "the seed has no difference" bash -c "! grep -q consolidate.department '$tmp/out'"
edit "$seed" "$tmp/wrong.json" "
for t in d['tables']:
    if t['id']=='T07': t['rows'][0]['cells']['total']='4115.46'"
check "a wrong department figure exits 1" status_is 1 "$BK" consolidate --lang en "$tmp/wrong.json" "$tmp/wrong-out.json"
check "the finding names the cell" grep -q "T07 \[深圳市大鹏新区政务服务数据管理局\] 深圳市大鹏新区政务服务数据管理局 / total: error \[consolidate.department\]: the department row prints 4115.46 but its 1 unit sum to 4115.36 (difference 0.10)" "$tmp/out"
check "only that cell" test "$(grep -c consolidate.department "$tmp/out")" -eq 1
check "the output is written all the same" test -s "$tmp/wrong-out.json"
check "the printed figure is kept" grep -q '"total": "4115.46"' "$tmp/wrong-out.json"
edit "$seed" "$tmp/round.json" "
for t in d['tables']:
    if t['id']=='T07': t['rows'][0]['cells']['total']='4115.37'"
check "a rounding difference exits 0" status_is 0 "$BK" consolidate --lang en "$tmp/round.json" "$tmp/round-out.json"
check "and is reported as rounding" grep -q "total: rounding \[consolidate.department\]" "$tmp/out"
check "--strict makes it an error" status_is 1 "$BK" consolidate --strict "$tmp/round.json" "$tmp/round-out.json"
check "JSON report" status_is 1 "$BK" consolidate --format json "$tmp/wrong.json" "$tmp/wrong-out.json"
check "JSON report parses" python3 -c "
import json,sys; r=json.load(open('$tmp/out')); f=[x for x in r['findings'] if x['rule']=='consolidate.department']
assert len(f)==1 and f[0]['location']['table']=='T07' and f[0]['location']['column']=='total', f"

# ---- conflicts: errors naming both files, nothing written ----
check "the same unit twice" status_is 2 "$BK" consolidate --lang en "$u/unit1.json" "$u/unit2.json" "$tmp/folder/unit1.json" "$tmp/twice.json"
check "names both files" grep -q "$tmp/folder/unit1.json: the same unit twice: 深圳市大鹏新区政务服务数据管理局(本级) is in this document and in $u/unit1.json" "$tmp/err"
check "nothing written" test ! -e "$tmp/twice.json"
edit "$u/unit2.json" "$tmp/y2023.json" "d['fiscal_year']=2023"
check "two years" status_is 2 "$BK" consolidate --lang en "$u/unit1.json" "$tmp/y2023.json" "$tmp/years.json"
check "names both files and years" grep -q "$tmp/y2023.json: different years: this document is for 2023, $u/unit1.json for 2024" "$tmp/err"
check "nothing written for two years" test ! -e "$tmp/years.json"
edit "$u/unit2.json" "$tmp/other-dept.json" "d['department']['name']='深圳市大鹏新区财政局'; d['units'][0]['name']='深圳市大鹏新区财政局'"
check "two departments" status_is 2 "$BK" consolidate "$u/unit1.json" "$tmp/other-dept.json" "$tmp/depts.json"
check "names both departments" grep -q "two departments: this document is of 深圳市大鹏新区财政局, $u/unit1.json of 深圳市大鹏新区政务服务数据管理局" "$tmp/err"
edit "$u/unit2.json" "$tmp/yuan.json" "
d['money_unit']='元'; d['unit_mult']=0; d['precision']=0
for t in d['tables']:
    for r in t['rows']:
        for k,v in list(r['cells'].items()):
            if t['id']=='T05' and k=='change_pct': continue
            try:
                from decimal import Decimal
                if t['id']=='T12' and k=='content': continue
                if t['id']=='T05' and k=='explanation': continue
                r['cells'][k]=format(Decimal(v)*10000,'f').rstrip('0').rstrip('.') if '.' in format(Decimal(v)*10000,'f') else format(Decimal(v)*10000,'f')
            except Exception: pass"
check "different money units" status_is 2 "$BK" consolidate "$u/unit1.json" "$tmp/yuan.json" "$u/unit3.json" "$tmp/money.json"
check "names both money units" grep -q "different money units: this document is in 元, $u/unit1.json in 万元" "$tmp/err"
check "--money-unit converts" status_is 0 "$BK" consolidate --money-unit 元 "$u/unit1.json" "$tmp/yuan.json" "$u/unit3.json" "$tmp/money.json"
check "in 元 the department total is exact" bash -c "python3 -c \"
import json;from decimal import Decimal as D;d=json.load(open('$tmp/money.json'))
assert d['money_unit']=='元'
t=[t for t in d['tables'] if t['id']=='T07'][0]
assert D(t['rows'][0]['cells']['total'])==D('41153600'), t['rows'][0]\""
check "and validates clean" status_is 0 "$BK" validate "$tmp/money.json"
edit "$u/unit2.json" "$tmp/renamed.json" "
for t in d['tables']:
    for r in t['rows']:
        if r.get('code')=='2010301': r['name']='行政运行(改)'"
check "one code, two names" status_is 2 "$BK" consolidate "$u/unit1.json" "$tmp/renamed.json" "$tmp/names.json"
check "names the code and both files" grep -q "$tmp/renamed.json:[0-9]*:*.*code 2010301 is named \"行政运行(改)\" here and \"行政运行\" in $u/unit1.json" "$tmp/err"
check "unreadable input exits 2" status_is 2 "$BK" consolidate "$tmp/nope.json" "$tmp/x.json"
check "bad --money-unit" status_is 2 "$BK" consolidate --money-unit 千元 "$u/unit1.json" "$tmp/x.json"

echo "consolidate: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
