#!/usr/bin/env bash
# Explanations on changed copies of the seed: the likely wrong cell comes first in the report,
# names the cell and its value, lists the findings it explains, and those say so.
# The narrative (说明) text has its own validator and findings of its own; these tests are about
# the totals and their explanations, so they skip it.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # check NAME COMMAND... : the command must succeed
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}

# mutate OUT TABLE ROWKEY COLUMN VALUE [TABLE ROWKEY COLUMN VALUE]...: a copy of the seed with
# cells set (ROWKEY: a code or a name). "drop:TABLE..." keeps only the tables named.
mutate() {
  python3 - "$sample" "$@" <<'PY'
import json, sys
src, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
doc = json.load(open(src, encoding="utf-8"))
while args:
    t, key, col, val = args[:4]
    args = args[4:]
    hit = 0
    for tb in doc["tables"]:
        if tb["id"] != t:
            continue
        for r in tb["rows"]:
            if r.get("code") == key or r.get("name") == key:
                r["cells"][col] = val
                hit += 1
                break
    if hit != 1:
        sys.exit("no cell %s %s %s" % (t, key, col))
json.dump(doc, open(out, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
}

# jq-like questions on a JSON report, in python: ask REPORT EXPRESSION (r = the report).
ask() {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"
}

# --- the mutation of the issue: T07 2010302 项目支出 1242.10 -> 1243.10 ---
mutate "$tmp/one.json" T07 2010302 project 1243.10
"$BK" validate --skip narrative "$tmp/one.json" >"$tmp/one.txt"
check "one: exit 1" test $? -eq 1
head -n 1 "$tmp/one.txt" >"$tmp/first"
check "one: first line is the explanation" grep -q "error \[explain.likely-cell\]" "$tmp/first"
check "one: first line names T07 2010302 项目支出" \
  grep -q "T07 .*2010302 / project: .*T07 row 2010302 一般行政管理事务 column 项目支出" "$tmp/first"
check "one: first line gives 1243.10 and 1242.10" grep -q "1243.10 printed, most likely 1242.10" "$tmp/first"
check "one: the only explanation" grep -q "the only single-cell explanation" "$tmp/first"
check "one: the findings stay, marked" \
  test "$(grep -c 'Explained by the likely wrong cell T07 2010302 / project' "$tmp/one.txt")" -eq 2
check "one: columns-sum still reported" grep -q "error \[totals.columns-sum\]: T07 row 2010302 column total" "$tmp/one.txt"
check "one: hierarchy still reported" grep -q "error \[totals.hierarchy\]: T07 row 20103 column project" "$tmp/one.txt"
"$BK" validate --skip narrative --lang zh "$tmp/one.json" | head -n 1 >"$tmp/zh"
check "one: Chinese first line" grep -q "表T07「2010302 一般行政管理事务」行「项目支出」列疑似填错：填报1243.10，应为1242.10" "$tmp/zh"

"$BK" validate --skip narrative --format json "$tmp/one.json" >"$tmp/one.rep"
check "json: explanation first" ask "$tmp/one.rep" 'r["findings"][0]["rule"] == "explain.likely-cell"'
check "json: cell and values" ask "$tmp/one.rep" 'r["findings"][0]["location"]["table"] == "T07" and r["findings"][0]["location"]["row"] == "2010302" and r["findings"][0]["location"]["column"] == "project" and r["findings"][0]["location"]["row_index"] == 6 and r["findings"][0]["location"]["unit"].endswith("(本级)") and r["findings"][0]["location"]["line"] > 0 and r["findings"][0]["actual"] == "1243.10" and r["findings"][0]["expected"] == "1242.10"'
check "json: confidence" ask "$tmp/one.rep" 'r["findings"][0]["confidence"] == "the only single-cell explanation"'
check "json: explains the two findings by id" ask "$tmp/one.rep" 'sorted(r["findings"][0]["explains"]) == sorted(f["id"] for f in r["findings"] if f["rule"] in ("totals.columns-sum", "totals.hierarchy"))'
check "json: they are explained by it" ask "$tmp/one.rep" 'all(f["explained_by"] == [r["findings"][0]["id"]] for f in r["findings"] if f["rule"].startswith("totals.") and f["severity"] == "error")'
check "json: ids are distinct" ask "$tmp/one.rep" 'len(set(f["id"] for f in r["findings"])) == len(r["findings"])'
"$BK" validate --skip narrative --option explain=0 "$tmp/one.json" >"$tmp/off.txt"
check "explain=0: no explanation" bash -c "! grep -q explain. '$tmp/off.txt'"

# --- two independent mutations in different tables: two explanations ---
mutate "$tmp/two.json" T07 2010302 project 1243.10 T08 30102 basic 231.95
"$BK" validate --skip narrative --format json "$tmp/two.json" >"$tmp/two.rep"
check "two: two explanations" ask "$tmp/two.rep" 'len([f for f in r["findings"] if f["rule"] == "explain.likely-cell"]) == 2'
check "two: T07 cell" ask "$tmp/two.rep" 'any(f["location"]["table"] == "T07" and f["location"]["row"] == "2010302" and f["location"]["column"] == "project" and f["expected"] == "1242.10" for f in r["findings"] if f["rule"] == "explain.likely-cell")'
check "two: T08 cell" ask "$tmp/two.rep" 'any(f["location"]["table"] == "T08" and f["location"]["row"] == "30102" and f["location"]["column"] == "basic" and f["expected"] == "232.32" for f in r["findings"] if f["rule"] == "explain.likely-cell")'
check "two: every error explained" ask "$tmp/two.rep" 'all(f.get("explained_by") for f in r["findings"] if f["severity"] == "error" and not f["rule"].startswith("explain."))'

# --- a difference within rounding is never corrected ---
mutate "$tmp/round.json" T07 2010302 project 1242.11
"$BK" validate --skip narrative --format json "$tmp/round.json" >"$tmp/round.rep"
check "rounding: findings within rounding" ask "$tmp/round.rep" 'r["stats"]["rounding"] >= 1 and r["stats"]["errors"] == 0'
check "rounding: no explanation" ask "$tmp/round.rep" 'not any(f["rule"].startswith("explain.") for f in r["findings"])'
"$BK" validate --skip narrative --strict --format json "$tmp/round.json" >"$tmp/strict.rep"
check "rounding, strict: still no explanation" ask "$tmp/strict.rep" 'r["stats"]["errors"] >= 1 and not any(f["rule"].startswith("explain.") for f in r["findings"])'

# --- a parent with its only child: both fit equally, both are reported ---
python3 - "$sample" "$tmp/only.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
t1 = [t for t in doc["tables"] if t["id"] == "T01"][0]
t1["rows"] = [
    {"kind": "item", "unit": "u1", "section": "expenditure", "name": "教育支出", "level": 1,
     "cells": {"amount": "1.00"}},
    {"kind": "item", "unit": "u1", "section": "expenditure", "name": "进修及培训", "level": 2,
     "cells": {"amount": "2.00"}},
]
doc["tables"] = [t1]
json.dump(doc, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
"$BK" validate --skip narrative --format json "$tmp/only.json" >"$tmp/only.rep"
check "only child: two explanations" ask "$tmp/only.rep" 'len([f for f in r["findings"] if f["rule"] == "explain.likely-cell"]) == 2'
check "only child: parent 2.00 or child 1.00" ask "$tmp/only.rep" 'sorted((f["location"]["row"], f["expected"]) for f in r["findings"] if f["rule"] == "explain.likely-cell") == [("教育支出", "2.00"), ("进修及培训", "1.00")]'
check "only child: said to fit equally" ask "$tmp/only.rep" 'all(f["confidence"] == "one of 2 single-cell explanations that fit equally" for f in r["findings"] if f["rule"] == "explain.likely-cell")'
check "only child: the finding is explained by both" ask "$tmp/only.rep" 'len([f for f in r["findings"] if f["rule"] == "totals.hierarchy"][0]["explained_by"]) == 2'

# --- two wrong cells in one identity: one explanation of two cells ---
mutate "$tmp/pair.json" T07 2010301 project 1.00 T07 2010302 project 1241.73
"$BK" validate --skip narrative --format json "$tmp/pair.json" >"$tmp/pair.rep"
check "pair: both cells, original values" ask "$tmp/pair.rep" 'sorted((f["location"]["row"], f["expected"]) for f in r["findings"] if f["rule"] == "explain.likely-cell") == [("2010301", "0.00"), ("2010302", "1242.10")]'
check "pair: said to be a pair" ask "$tmp/pair.rep" 'all("pair" in f["confidence"] for f in r["findings"] if f["rule"] == "explain.likely-cell")'

# --- no explanation of one or two cells: said so ---
mutate "$tmp/many.json" T07 2010301 basic 674.80 T07 2010301 total 674.80 T07 20103 basic 674.80 T07 20103 total 1916.90
"$BK" validate --skip narrative --format json "$tmp/many.json" >"$tmp/many.rep"
check "none: explain.none" ask "$tmp/many.rep" 'any(f["rule"] == "explain.none" and f["severity"] == "info" for f in r["findings"]) and not any(f["rule"] == "explain.likely-cell" for f in r["findings"])'

# --- --fix-suggestions: the corrected document, for review, never over the input ---
cp "$tmp/one.json" "$tmp/keep.json"
"$BK" validate --skip narrative --fix-suggestions "$tmp/fixed.json" "$tmp/one.json" >/dev/null 2>"$tmp/fix.err"
check "fix: exit 1 (the input has errors)" test $? -eq 1
check "fix: says what it wrote" grep -q "1 correction written to .*fixed.json for review" "$tmp/fix.err"
check "fix: input untouched" cmp -s "$tmp/one.json" "$tmp/keep.json"
check "fix: the seed's figures come back" python3 -c "
import json, sys
a = json.load(open(sys.argv[1], encoding='utf-8')); b = json.load(open(sys.argv[2], encoding='utf-8'))
sys.exit(0 if a['tables'] == b['tables'] else 1)" "$tmp/fixed.json" "$sample"
"$BK" validate --skip narrative "$tmp/fixed.json" >/dev/null
check "fix: the corrected document validates" test $? -eq 0
"$BK" validate --skip narrative --fix-suggestions "$tmp/fixed.xml" "$tmp/two.json" >/dev/null 2>"$tmp/fix2.err"
check "fix: two corrections, XML by extension" grep -q "2 corrections written" "$tmp/fix2.err"
"$BK" validate --skip narrative "$tmp/fixed.xml" >/dev/null
check "fix: the corrected XML validates" test $? -eq 0
"$BK" validate --skip narrative --fix-suggestions "$tmp/one.json" "$tmp/one.json" >/dev/null 2>"$tmp/inplace.err"
check "fix: never in place (exit 2)" test $? -eq 2
check "fix: never in place (message)" grep -q "never over its input" "$tmp/inplace.err"
check "fix: never in place (input untouched)" cmp -s "$tmp/one.json" "$tmp/keep.json"
"$BK" validate --skip narrative --fix-suggestions "$tmp/" "$tmp/one.json" >/dev/null 2>&1
check "fix: not into a folder" test $? -eq 2
"$BK" validate --skip narrative --fix-suggestions "$tmp/only-fixed.json" "$tmp/only.json" >/dev/null 2>"$tmp/only.err"
check "fix: equal explanations are left to a person" grep -q "0 corrections written.*2 left out: several cells fit equally" "$tmp/only.err"
"$BK" validate --help | grep -q -- "--fix-suggestions OUT"
check "fix: in --help" test $? -eq 0

# --- the seed itself: nothing to explain ---
"$BK" validate --skip narrative --format json "$sample" >"$tmp/seed.rep"
check "seed: no explanation" ask "$tmp/seed.rep" 'not any(f["rule"].startswith("explain.") for f in r["findings"])'

echo "explain: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
