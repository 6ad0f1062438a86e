#!/usr/bin/env bash
# diff: a resubmission compared with the first submission names exactly the changed cells, the
# renamed and recoded rows and the changed paragraphs; bulks are compared unit by unit; --years
# compares a budget's previous-year figures with the previous budget's own.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
seed="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
split="$BK_SOURCE_DIR/tests/consolidate/split.py"
source "$BK_SOURCE_DIR/tests/support/check.sh"
changes() { grep -cvE '^(==|$|cells |[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ |[0-9]+ documents? compared)' "$t/out"; }

check "diff --help" bash -c "'$BK' diff --help | grep -q '^Usage: budgetkit diff'"
check "a budget equals itself in another format" status_is 0 "$BK" diff --lang en "$seed" "$BK_SOURCE_DIR/samples/dapeng-2024/budget.xml"
check "and says so" grep -q "^1 document compared, 1 equal; 0 changes" "$t/out"

# three units; the second is resubmitted with one figure changed
python3 "$split" "$seed" "$BK_SOURCE_DIR/formats/layouts/shenzhen" "$t/v1" \
  "深圳市大鹏新区政务服务数据管理局(本级):0.37" "大鹏新区政务服务中心:0.41" "大鹏新区数据资源中心:0.22"
mkdir -p "$t/v2" && cp "$t/v1"/unit*.json "$t/v2/"
edit "$t/v1/unit2.json" "$t/v2/unit2.json" "
for t in d['tables']:
    if t['id']=='T07':
        for r in t['rows']:
            if r.get('code')=='2010302': r['cells']['project']='510.0000'"
check "one changed figure exits 1" status_is 1 "$BK" diff --lang en "$t/v1" "$t/v2"
check "it names exactly that cell" grep -qx "T07 \[大鹏新区政务服务中心\] 2010302 一般行政管理事务 / project: 509.2610 → 510.0000 (+0.7390, +0.15%)" "$t/out"
check "and nothing else" test "$(changes)" -eq 1
check "per-unit summary" grep -q "^3 documents compared, 2 equal; 1 change: 1 cell" "$t/out"
check "JSON" status_is 1 "$BK" diff --format json "$t/v1" "$t/v2"
check "JSON holds that one change" python3 -c "
import json; r=json.load(open('$t/out'))
assert r['format']=='budgetkit-diff' and r['equal'] is False, r
c=r['changes']; assert len(c)==1, c; c=c[0]
assert (c['change'],c['table'],c['unit'],c['row'],c['column'],c['old'],c['new'],c['difference'],c['percent'])==('cell','T07','大鹏新区政务服务中心','2010302','project','509.2610','510.0000','0.7390','0.15'), c
assert r['stats']['documents']==3 and r['stats']['equal_documents']==2, r['stats']
assert [u['unit'] for u in r['units']]==['大鹏新区政务服务中心'], r['units']"
check "Chinese" status_is 1 "$BK" diff --lang zh "$t/v1/unit2.json" "$t/v2/unit2.json"
check "Chinese names the header" grep -qx "T07 \[大鹏新区政务服务中心\] 2010302 一般行政管理事务 / 项目支出: 509.2610 → 510.0000（+0.7390，+0.15%）" "$t/out"
"$BK" convert "$t"/v1/unit*.json "$t/v1.zip" && "$BK" convert "$t"/v2/unit*.json "$t/v2.zip"
check "two archives, unit by unit" status_is 1 "$BK" diff --lang en "$t/v1.zip" "$t/v2.zip"
check "archives: the same one cell" test "$(changes)" -eq 1
check "equal archives exit 0" status_is 0 "$BK" diff "$t/v1.zip" "$t/v1"

# bulks walked together (A is read only as far as each document's counterpart): B in another
# order, a document of B of no department of A first (A is then read to its end), a broken
# document of A after the first
mkdir -p "$t/v3" "$t/v4"
cp "$t/v2/unit3.json" "$t/v3/a-unit3.json" && cp "$t/v2/unit2.json" "$t/v3/b-unit2.json"
edit "$t/v1/unit1.json" "$t/v3/0-other.json" "
d['department']['name']='深圳市大鹏新区另一个局'
for u in d['units']:
    if u['kind']=='department': u['name']='深圳市大鹏新区另一个局'"
check "B in another order exits 1" status_is 1 "$BK" diff --lang en "$t/v1" "$t/v3"
check "the document of another department is only in B" grep -qx "深圳市大鹏新区另一个局: document only in B" "$t/out"
check "B's documents are paired by unit, in B's order" bash -c "grep '^== ' '$t/out' | sed 's|$t/||g' | tr '\n' '|' | grep -qx '== v3/0-other.json|== v3/b-unit2.json (against v1/unit2.json)|== v1/unit1.json|'"
check "the changed cell as before" grep -qx "T07 \[大鹏新区政务服务中心\] 2010302 一般行政管理事务 / project: 509.2610 → 510.0000 (+0.7390, +0.15%)" "$t/out"
check "A's unpaired document at the end" grep -qx "深圳市大鹏新区政务服务数据管理局: document only in A" "$t/out"
check "three pairs' worth of counts" grep -qx "2 documents compared, 1 equal; 3 changes: 1 cell, 0 rows added, 0 removed, 2 other" "$t/out"
cp "$t/v1/unit1.json" "$t/v1/unit3.json" "$t/v4/" && printf '{"format":\n' >"$t/v4/unit2.json"
check "a broken document of A exits 2" status_is 2 "$BK" diff "$t/v4" "$t/v1"
check "naming its file and line" grep -q "v4/unit2.json:2:1: malformed JSON" "$t/err"
mkdir -p "$t/empty"
check "an A of no document exits 2" status_is 2 "$BK" diff "$t/empty" "$t/v1"
check "saying so" grep -q "empty: the folder holds no file" "$t/err"

# a resubmission with a renamed code, a renamed row, a new row and a new paragraph
edit "$t/v1/unit3.json" "$t/re.json" "
for t in d['tables']:
    if t['id']=='T08':
        for r in t['rows']:
            if r.get('code')=='30199': r['code']='30198'
    if t['id']=='T07':
        for r in t['rows']:
            if r.get('code')=='2010301': r['name']='行政运行事务'
    if t['id']=='T05':
        t['rows'].append({'kind':'item','unit':'u1','name':'新增试点项目','cells':{'total':'10.0000'}})
d['narrative'][0]['text']=d['narrative'][0]['text'].replace('\n\n','\n\n新增一段说明。\n\n',1)"
check "resubmission exits 1" status_is 1 "$BK" diff --lang en "$t/v1/unit3.json" "$t/re.json"
check "recoded row" grep -qx "T08 \[大鹏新区数据资源中心\] 其他工资福利支出: code changed from 30199 to 30198" "$t/out"
check "renamed row" grep -qx 'T07 \[大鹏新区数据资源中心\] 2010301: renamed from "行政运行" to "行政运行事务"' "$t/out"
check "added row" grep -qx "T05 \[大鹏新区数据资源中心\] 新增试点项目: row only in B (total 10.0000)" "$t/out"
check "added paragraph" grep -qx "《第一部分 部门概况》 ¶2 added: 新增一段说明。" "$t/out"
check "four changes" test "$(changes)" -eq 4
check "reversed: the row is removed" status_is 1 "$BK" diff --lang en "$t/re.json" "$t/v1/unit3.json"
check "row only in A" grep -qx "T05 \[大鹏新区数据资源中心\] 新增试点项目: row only in A (total 10.0000)" "$t/out"
check "paragraph removed" grep -qx "《第一部分 部门概况》 ¶2 removed: 新增一段说明。" "$t/out"

# year against year: the 2025 budget restates 2024's figures in its previous-year columns
edit "$seed" "$t/2025.json" "
d['fiscal_year']=2025
for t in d['tables']:
    if t['id']=='T05':
        for r in t['rows']:
            c=r['cells']
            if 'total' in c: c['prev_initial']=c['total']
            if r['name']=='信息技术服务': c['prev_initial']='850.75'
    if t['id']=='T09':
        for r in t['rows']:
            if r['name']=='2024年': r['cells']['reception_general']='1.60'
            elif r['name']=='2023年': r['name']='2025年'"
check "--years exits 1 on a restated figure" status_is 1 "$BK" diff --years --lang en "$seed" "$t/2025.json"
check "--years names the T05 cell" grep -qx "T05 \[深圳市大鹏新区政务服务数据管理局(本级)\] 信息技术服务 / prev_initial (against total): 840.75 → 850.75 (+10.00, +1.19%)" "$t/out"
check "--years names the T09 cell" grep -qx "T09 \[深圳市大鹏新区政务服务数据管理局(本级)\] 2024年 / reception_general: 1.50 → 1.60 (+0.10, +6.67%)" "$t/out"
check "--years nothing else" test "$(changes)" -eq 2
# what the catalogue says changed between the years (a fixture, not the Ministry's table)
cat >"$t/changes.csv" <<'EOF'
year,scheme,old_code,old_name,new_code,new_name,change,source
2025,function,2010301,行政运行,2010350,行政运行（一）,split,fixture
2025,function,2010301,行政运行,2010351,"行政运行（二）, 含""附属""",split,fixture
2025,econ_dept,30199,其他工资福利支出,30199,其他工资福利性支出,renamed,fixture
2025,econ_dept,30102,津贴补贴,30190,津贴补贴和奖金,merged,fixture
2025,econ_dept,30103,奖金,30190,津贴补贴和奖金,merged,fixture
2025,function,2990101,不在预算中,2990102,也不在,recoded,fixture
2026,econ_dept,30201,办公费,30201,办公经费,renamed,fixture
EOF
check "--code-changes exits 1" status_is 1 "$BK" diff --years --lang en --code-changes "$t/changes.csv" "$seed" "$t/2025.json"
check "--code-changes: a split" grep -qxF 'T07 2010301: split in the new year'"'"'s catalogue: 2010301 行政运行 → 2010350 行政运行（一）; 2010351 行政运行（二）, 含"附属" (fixture)' "$t/out"
check "--code-changes: a renaming" grep -qxF "T08 30199: renamed in the new year's catalogue: 30199 其他工资福利支出 → 30199 其他工资福利性支出 (fixture)" "$t/out"
check "--code-changes: a merger" grep -qxF "T08 30190: merged in the new year's catalogue: 30102 津贴补贴; 30103 奖金 → 30190 津贴补贴和奖金 (fixture)" "$t/out"
check "--code-changes: codes neither prints and other years are left out" test "$(grep -c "catalogue" "$t/out")" -eq 3
check "--code-changes: the cells as before" test "$(changes)" -eq 5
check "--code-changes JSON" status_is 1 "$BK" diff --years --format json --code-changes "$t/changes.csv" "$seed" "$t/2025.json"
check "--code-changes JSON fields" python3 -c "
import json; r=json.load(open('$t/out'))
c=[x for x in r['changes'] if x['change']=='catalogue']
assert [(x['row'],x['column'],x['source']) for x in c]==[('2010301','split','fixture'),('30199','renamed','fixture'),('30190','merged','fixture')], c"
printf 'year,scheme,old_code,old_name,new_code,new_name,change,source\n2025,function,2010301,行政运行,2010350,x,moved,fixture\n' >"$t/bad.csv"
check "a bad change file exits 2" status_is 2 "$BK" diff --years --code-changes "$t/bad.csv" "$seed" "$t/2025.json"
check "naming its line" grep -q "bad.csv:2:.*change \"moved\" is not renamed, recoded, split or merged" "$t/err"
printf 'year,scheme,old_code,old_name,new_code,new_name,change,source\n2025,function,2010301,行政运行,2010350,x,split,\n' >"$t/bad.csv"
check "a change without a source exits 2" status_is 2 "$BK" diff --years --code-changes "$t/bad.csv" "$seed" "$t/2025.json"
check "saying so" grep -q "bad.csv:2:.*no source" "$t/err"
printf 'year,scheme\n' >"$t/bad.csv"
check "a wrong header exits 2" status_is 2 "$BK" diff --years --code-changes "$t/bad.csv" "$seed" "$t/2025.json"
check "naming the header" grep -q "bad.csv:1:1: the first line must be the header" "$t/err"
check "the HTML lists them" status_is 1 "$BK" diff --years --format html --code-changes "$t/changes.csv" "$seed" "$t/2025.json"
check "the HTML lists three" test "$(grep -c 'data-change="catalogue"' "$t/out")" -eq 3
# renamings read off the catalogue's lists of the two years (fixture lists, not the Ministry's):
# a name changed, a name printed with half-width brackets (the same label), a code no budget prints
cp -r "$BK_SOURCE_DIR/formats" "$t/data" && chmod -R u+w "$t/data"
cat >"$t/data/catalog/function-2025.csv" <<'EOF'
scheme,code,name,level,source
function,2010301,行政运行（新）,项,fixture
function,20103,政府办公厅(室)及相关机构事务,款,fixture
function,2990101,不在预算中,项,fixture
EOF
check "--years with two years' lists exits 1" status_is 1 "$BK" diff --years --lang en --data-dir "$t/data" "$seed" "$t/2025.json"
check "the renaming the lists show" grep -qxF "T07 2010301: renamed in the new year's catalogue: 2010301 行政运行 → 2010301 行政运行（新） (names in catalogue function-2024.csv and function-2025.csv)" "$t/out"
check "and no other" test "$(grep -c "catalogue" "$t/out")" -eq 1
check "the cells as before" test "$(changes)" -eq 3
cp "$t/data/catalog/function-2025.csv" "$t/function_2025.csv"
check "a user's list (--option catalog=)" status_is 1 "$BK" diff --years --lang en --option "catalog=$t/function_2025.csv" "$seed" "$t/2025.json"
check "shows the same renaming" grep -qxF "T07 2010301: renamed in the new year's catalogue: 2010301 行政运行 → 2010301 行政运行（新） (names in catalogue function-2024.csv and function_2025.csv)" "$t/out"
check "a change file's entry for the code wins" status_is 1 "$BK" diff --years --lang en --data-dir "$t/data" --code-changes "$t/changes.csv" "$seed" "$t/2025.json"
check "the split alone" test "$(grep -c "^T07 2010301: " "$t/out")" -eq 1
check "named as split" grep -q "^T07 2010301: split" "$t/out"
check "without a second year's list, none" status_is 1 "$BK" diff --years --lang en "$seed" "$t/2025.json"
check "none" test "$(grep -c "catalogue" "$t/out")" -eq 0
printf 'scheme,code,name,level,source\nfunction,20x,x,类,fixture\n' >"$t/data/catalog/function-2025.csv"
check "a broken list exits 2" status_is 2 "$BK" diff --years --data-dir "$t/data" "$seed" "$t/2025.json"
check "naming its line" grep -q 'function-2025.csv:2:.*code "20x" is not a code' "$t/err"
check "--years needs consecutive years" status_is 2 "$BK" diff --years "$seed" "$seed"
check "--years says why" grep -q "next year" "$t/err"

check "a missing input exits 2" status_is 2 "$BK" diff "$seed" "$t/nope.json"
check "bad --format" status_is 2 "$BK" diff --format xml "$seed" "$seed"

# the HTML page (what a browser makes of it: tests/diff/browser.sh)
check "html: equal exits 0" status_is 0 "$BK" diff --format html "$seed" "$BK_SOURCE_DIR/samples/dapeng-2024/budget.xml"
check "html: says equal" grep -q '<span class="c s-info">equal</span>\|<span class="c s-info">相同</span>' "$t/out"
check "html: bulk exits 1" status_is 1 "$BK" diff --format html --lang en "$t/v1.zip" "$t/v2.zip"
cp "$t/out" "$t/bulk1.html"
check "html: one marked cell on each side" test "$(grep -o 'class="mark d-changed' "$t/bulk1.html" | wc -l)" -eq 2
check "html: a line per pair" test "$(grep -c '^<tr><td data-v=' "$t/bulk1.html")" -eq 3
check "html: same input, same bytes" bash -c "'$BK' diff --format html --lang en '$t/v1.zip' '$t/v2.zip' | cmp -s - '$t/bulk1.html'"
check "html: an unreadable input writes no page" status_is 2 "$BK" diff --format html "$seed" "$t/nope.json"
check "html: nothing on standard output" test ! -s "$t/out"

finish diff
