#!/usr/bin/env bash
# consolidate: the seed split into three units and consolidated back gives the seed's department
# rows; printed department rows are compared; conflicts are refused naming both files.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
here="$BK_SOURCE_DIR/tests/consolidate"
seed="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
templates="$BK_SOURCE_DIR/formats/layouts/shenzhen"
source "$BK_SOURCE_DIR/tests/support/check.sh"
rows() { python3 "$here/rows.py" "$@"; }

check "consolidate --help" bash -c "'$BK' consolidate --help | grep -q '^Usage: budgetkit consolidate'"

# ---- split and back ----
u="$t/units"
python3 "$here/split.py" "$seed" "$templates" "$u" \
  "深圳市大鹏新区政务服务数据管理局(本级):0.37" "大鹏新区政务服务中心:0.41" "大鹏新区数据资源中心:0.22"
for f in "$u"/unit*.json; do
  check "unit $(basename "$f") validates clean" status_is 0 "$BK" validate --skip narrative --lang en "$f"
done
check "consolidate three units" status_is 0 "$BK" consolidate --lang en "$u"/unit1.json "$u"/unit2.json "$u"/unit3.json "$t/dept.json"
check "it says what it wrote" grep -q "3 units from 3 documents" "$t/err"
check "the result validates clean" status_is 0 "$BK" validate --lang en "$t/dept.json"
check "no error in its report" grep -q " 0 errors" "$t/out"
check "--option publisher and license reach the department's document" status_is 0 "$BK" consolidate \
  --option publisher=某某局 --option license=CC0-1.0 "$u"/unit1.json "$u"/unit2.json "$u"/unit3.json "$t/dept-pub.json"
check "... as its publication" python3 -c "import json, sys
p = json.load(open(sys.argv[1], encoding='utf-8'))['publication']
assert p == {'publisher': '某某局', 'license': 'CC0-1.0'}, p" "$t/dept-pub.json"
rows "$seed" department >"$t/seed.dept"
rows "$t/dept.json" department | grep '|unit|' >"$t/got.dept"
check "department unit rows equal the seed's" diff "$t/seed.dept" "$t/got.dept"
rows "$seed" self | grep -v '|unit|' >"$t/seed.items"
rows "$t/dept.json" department | grep -v '|unit|' >"$t/got.items"
check "department's rows per code equal the seed's 本级 rows" diff "$t/seed.items" "$t/got.items"
for i in 1 2 3; do
  name=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['units'][1]['name'])" "$u/unit$i.json")
  rows "$u/unit$i.json" ALL | grep -E '^T(02|04|05|07|08|10|11)\|' >"$t/unit.rows"
  rows "$t/dept.json" ALL "$name" >"$t/unit.got"
  check "unit $i's rows are kept as submitted" diff "$t/unit.rows" "$t/unit.got"
done
check "T05 percentage recomputed from the sums" bash -c \
  "python3 -c \"
import json;d=json.load(open('$t/dept.json'))
t=[t for t in d['tables'] if t['id']=='T05'][0]
r=t['rows'][0]; assert r['kind']=='unit' and r['unit']=='dept', r
assert r['cells']['change_pct']=='11.58', r['cells']
assert r['cells']['change']=='310.0200', r['cells']\""

# any input form gives the same department
mkdir -p "$t/folder" && cp "$u"/unit*.json "$t/folder/"
check "consolidate a folder" status_is 0 "$BK" consolidate "$t/folder" "$t/dept-folder.json"
check "folder gives the same bytes" cmp "$t/dept.json" "$t/dept-folder.json"
"$BK" convert "$u"/unit*.json "$t/units.zip" 2>/dev/null
check "consolidate an archive" status_is 0 "$BK" consolidate "$t/units.zip" "$t/dept-zip.json"
check "archive gives the same bytes" cmp "$t/dept.json" "$t/dept-zip.json"
for i in 1 2 3; do "$BK" convert "$u/unit$i.json" "$t/unit$i.xml"; done
check "consolidate XML units into XML" status_is 0 "$BK" consolidate "$t"/unit1.xml "$t"/unit2.xml "$t"/unit3.xml "$t/dept.xml"
check "the XML department validates clean" status_is 0 "$BK" validate "$t/dept.xml"
"$BK" convert "$t/dept.xml" "$t/dept-from-xml.json"
check "XML department is the JSON one" cmp "$t/dept.json" "$t/dept-from-xml.json"
check "consolidate to standard output" status_is 0 "$BK" consolidate "$u"/unit*.json -
check "standard output holds the document" cmp "$t/dept.json" "$t/out"
check "twice the same bytes" bash -c "'$BK' consolidate '$u'/unit*.json - 2>/dev/null | cmp - '$t/dept.json'"

# ---- printed department rows are compared, not overwritten ----
check "the seed consolidates onto itself" status_is 0 "$BK" consolidate "$seed" "$t/self.json"
check "the seed has no difference" bash -c "! grep -q consolidate.department '$t/out'"
edit "$seed" "$t/wrong.json" "
for t in d['tables']:
    if t['id']=='T07': t['rows'][0]['cells']['total']='4115.46'"
check "a wrong department figure exits 1" status_is 1 "$BK" consolidate --lang en "$t/wrong.json" "$t/wrong-out.json"
check "the finding names the cell" grep -q "T07 \[深圳市大鹏新区政务服务数据管理局\] 深圳市大鹏新区政务服务数据管理局 / total: error \[consolidate.department\]: the department row prints 4115.46 but its 1 unit sum to 4115.36 (difference 0.10)" "$t/out"
check "only that cell" test "$(grep -c consolidate.department "$t/out")" -eq 1
check "the output is written all the same" test -s "$t/wrong-out.json"
check "the printed figure is kept" grep -q '"total": "4115.46"' "$t/wrong-out.json"
edit "$seed" "$t/round.json" "
for t in d['tables']:
    if t['id']=='T07': t['rows'][0]['cells']['total']='4115.37'"
check "a rounding difference exits 0" status_is 0 "$BK" consolidate --lang en "$t/round.json" "$t/round-out.json"
check "and is reported as rounding" grep -q "total: rounding \[consolidate.department\]" "$t/out"
check "--strict makes it an error" status_is 1 "$BK" consolidate --strict "$t/round.json" "$t/round-out.json"
check "JSON report" status_is 1 "$BK" consolidate --format json "$t/wrong.json" "$t/wrong-out.json"
check "JSON report parses" python3 -c "
import json,sys; r=json.load(open('$t/out')); f=[x for x in r['findings'] if x['rule']=='consolidate.department']
assert len(f)==1 and f[0]['location']['table']=='T07' and f[0]['location']['column']=='total', f"

# ---- conflicts: errors naming both files, nothing written ----
check "the same unit twice" status_is 2 "$BK" consolidate --lang en "$u/unit1.json" "$u/unit2.json" "$t/folder/unit1.json" "$t/twice.json"
check "names both files" grep -q "$t/folder/unit1.json: the same unit twice: 深圳市大鹏新区政务服务数据管理局(本级) is in this document and in $u/unit1.json" "$t/err"
check "nothing written" test ! -e "$t/twice.json"
edit "$u/unit2.json" "$t/y2023.json" "d['fiscal_year']=2023"
check "two years" status_is 2 "$BK" consolidate --lang en "$u/unit1.json" "$t/y2023.json" "$t/years.json"
check "names both files and years" grep -q "$t/y2023.json: different years: this document is for 2023, $u/unit1.json for 2024" "$t/err"
check "nothing written for two years" test ! -e "$t/years.json"
edit "$u/unit2.json" "$t/other-dept.json" "d['department']['name']='深圳市大鹏新区财政局'; d['units'][0]['name']='深圳市大鹏新区财政局'"
check "two departments" status_is 2 "$BK" consolidate "$u/unit1.json" "$t/other-dept.json" "$t/depts.json"
check "names both departments" grep -q "two departments: this document is of 深圳市大鹏新区财政局, $u/unit1.json of 深圳市大鹏新区政务服务数据管理局" "$t/err"
edit "$u/unit2.json" "$t/yuan.json" "
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
check "different money units" status_is 2 "$BK" consolidate "$u/unit1.json" "$t/yuan.json" "$u/unit3.json" "$t/money.json"
check "names both money units" grep -q "different money units: this document is in 元, $u/unit1.json in 万元" "$t/err"
check "--money-unit converts" status_is 0 "$BK" consolidate --money-unit 元 "$u/unit1.json" "$t/yuan.json" "$u/unit3.json" "$t/money.json"
check "in 元 the department total is exact" bash -c "python3 -c \"
import json;from decimal import Decimal as D;d=json.load(open('$t/money.json'))
assert d['money_unit']=='元'
t=[t for t in d['tables'] if t['id']=='T07'][0]
assert D(t['rows'][0]['cells']['total'])==D('41153600'), t['rows'][0]\""
check "and validates clean" status_is 0 "$BK" validate "$t/money.json"
edit "$u/unit2.json" "$t/renamed.json" "
for t in d['tables']:
    for r in t['rows']:
        if r.get('code')=='2010301': r['name']='行政运行(改)'"
check "one code, two names" status_is 2 "$BK" consolidate "$u/unit1.json" "$t/renamed.json" "$t/names.json"
check "names the code and both files" grep -q "$t/renamed.json:[0-9]*:*.*code 2010301 is named \"行政运行(改)\" here and \"行政运行\" in $u/unit1.json" "$t/err"
check "unreadable input exits 2" status_is 2 "$BK" consolidate "$t/nope.json" "$t/x.json"
check "bad --money-unit" status_is 2 "$BK" consolidate --money-unit 千元 "$u/unit1.json" "$t/x.json"

finish consolidate
