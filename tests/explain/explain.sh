#!/usr/bin/env bash
# Explanations on changed copies of the seed: the likely wrong cell comes first in the report,
# names the cell and its value, lists the findings it explains, and those say so.
# The narrative (说明) text has its own validator and findings of its own; these tests are about
# the totals and their explanations, so they skip it.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
source "$BK_SOURCE_DIR/tests/support/check.sh"

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
mutate "$t/one.json" T07 2010302 project 1243.10
"$BK" validate --skip narrative "$t/one.json" >"$t/one.txt"
check "one: exit 1" test $? -eq 1
head -n 1 "$t/one.txt" >"$t/first"
check "one: first line is the explanation" grep -q "error \[explain.likely-cell\]" "$t/first"
check "one: first line names T07 2010302 项目支出" \
  grep -q "T07 .*2010302 / project: .*T07 row 2010302 一般行政管理事务 column 项目支出" "$t/first"
check "one: first line gives 1243.10 and 1242.10" grep -q "1243.10 printed, most likely 1242.10" "$t/first"
check "one: the only explanation" grep -q "the only single-cell explanation" "$t/first"
check "one: the findings stay, marked" \
  test "$(grep -c 'Explained by the likely wrong cell T07 2010302 / project' "$t/one.txt")" -eq 2
check "one: columns-sum still reported" grep -q "error \[totals.columns-sum\]: T07 row 2010302 column total" "$t/one.txt"
check "one: hierarchy still reported" grep -q "error \[totals.hierarchy\]: T07 row 20103 column project" "$t/one.txt"
"$BK" validate --skip narrative --lang zh "$t/one.json" | head -n 1 >"$t/zh"
check "one: Chinese first line" grep -q "表T07「2010302 一般行政管理事务」行「项目支出」列疑似填错：填报1243.10，应为1242.10" "$t/zh"

"$BK" validate --skip narrative --format json "$t/one.json" >"$t/one.rep"
check "json: explanation first" ask "$t/one.rep" 'r["findings"][0]["rule"] == "explain.likely-cell"'
check "json: cell and values" ask "$t/one.rep" 'r["findings"][0]["location"]["table"] == "T07" and r["findings"][0]["location"]["row"] == "2010302" and r["findings"][0]["location"]["column"] == "project" and r["findings"][0]["location"]["row_index"] == 6 and r["findings"][0]["location"]["unit"].endswith("(本级)") and r["findings"][0]["location"]["line"] > 0 and r["findings"][0]["actual"] == "1243.10" and r["findings"][0]["expected"] == "1242.10"'
check "json: confidence" ask "$t/one.rep" 'r["findings"][0]["confidence"] == "the only single-cell explanation"'
check "json: explains the two findings by id" ask "$t/one.rep" 'sorted(r["findings"][0]["explains"]) == sorted(f["id"] for f in r["findings"] if f["rule"] in ("totals.columns-sum", "totals.hierarchy"))'
check "json: they are explained by it" ask "$t/one.rep" 'all(f["explained_by"] == [r["findings"][0]["id"]] for f in r["findings"] if f["rule"].startswith("totals.") and f["severity"] == "error")'
check "json: ids are distinct" ask "$t/one.rep" 'len(set(f["id"] for f in r["findings"])) == len(r["findings"])'
"$BK" validate --skip narrative --option explain=0 "$t/one.json" >"$t/off.txt"
check "explain=0: no explanation" bash -c "! grep -q explain. '$t/off.txt'"

# --- two independent mutations in different tables: two explanations ---
mutate "$t/two.json" T07 2010302 project 1243.10 T08 30102 basic 231.95
"$BK" validate --skip narrative --format json "$t/two.json" >"$t/two.rep"
check "two: two explanations" ask "$t/two.rep" 'len([f for f in r["findings"] if f["rule"] == "explain.likely-cell"]) == 2'
check "two: T07 cell" ask "$t/two.rep" 'any(f["location"]["table"] == "T07" and f["location"]["row"] == "2010302" and f["location"]["column"] == "project" and f["expected"] == "1242.10" for f in r["findings"] if f["rule"] == "explain.likely-cell")'
check "two: T08 cell" ask "$t/two.rep" 'any(f["location"]["table"] == "T08" and f["location"]["row"] == "30102" and f["location"]["column"] == "basic" and f["expected"] == "232.32" for f in r["findings"] if f["rule"] == "explain.likely-cell")'
check "two: every error explained" ask "$t/two.rep" 'all(f.get("explained_by") for f in r["findings"] if f["severity"] == "error" and not f["rule"].startswith("explain."))'

# --- a difference within rounding is never corrected ---
mutate "$t/round.json" T07 2010302 project 1242.11
"$BK" validate --skip narrative --format json "$t/round.json" >"$t/round.rep"
check "rounding: findings within rounding" ask "$t/round.rep" 'r["stats"]["rounding"] >= 1 and r["stats"]["errors"] == 0'
check "rounding: no explanation" ask "$t/round.rep" 'not any(f["rule"].startswith("explain.") for f in r["findings"])'
"$BK" validate --skip narrative --strict --format json "$t/round.json" >"$t/strict.rep"
check "rounding, strict: still no explanation" ask "$t/strict.rep" 'r["stats"]["errors"] >= 1 and not any(f["rule"].startswith("explain.") for f in r["findings"])'

# --- a parent with its only child: both fit equally, both are reported ---
python3 - "$sample" "$t/only.json" <<'PY'
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
"$BK" validate --skip narrative --format json "$t/only.json" >"$t/only.rep"
check "only child: two explanations" ask "$t/only.rep" 'len([f for f in r["findings"] if f["rule"] == "explain.likely-cell"]) == 2'
check "only child: parent 2.00 or child 1.00" ask "$t/only.rep" 'sorted((f["location"]["row"], f["expected"]) for f in r["findings"] if f["rule"] == "explain.likely-cell") == [("教育支出", "2.00"), ("进修及培训", "1.00")]'
check "only child: said to fit equally" ask "$t/only.rep" 'all(f["confidence"] == "one of 2 single-cell explanations that fit equally" for f in r["findings"] if f["rule"] == "explain.likely-cell")'
check "only child: the finding is explained by both" ask "$t/only.rep" 'len([f for f in r["findings"] if f["rule"] == "totals.hierarchy"][0]["explained_by"]) == 2'

# --- two wrong cells in one identity: one explanation of two cells ---
mutate "$t/pair.json" T07 2010301 project 1.00 T07 2010302 project 1241.73
"$BK" validate --skip narrative --format json "$t/pair.json" >"$t/pair.rep"
check "pair: both cells, original values" ask "$t/pair.rep" 'sorted((f["location"]["row"], f["expected"]) for f in r["findings"] if f["rule"] == "explain.likely-cell") == [("2010301", "0.00"), ("2010302", "1242.10")]'
check "pair: said to be a pair" ask "$t/pair.rep" 'all("pair" in f["confidence"] for f in r["findings"] if f["rule"] == "explain.likely-cell")'

# --- no explanation of one or two cells: said so ---
mutate "$t/many.json" T07 2010301 basic 674.80 T07 2010301 total 674.80 T07 20103 basic 674.80 T07 20103 total 1916.90
"$BK" validate --skip narrative --format json "$t/many.json" >"$t/many.rep"
check "none: explain.none" ask "$t/many.rep" 'any(f["rule"] == "explain.none" and f["severity"] == "info" for f in r["findings"]) and not any(f["rule"] == "explain.likely-cell" for f in r["findings"])'

# --- --fix-suggestions: the corrected document, for review, never over the input ---
cp "$t/one.json" "$t/keep.json"
"$BK" validate --skip narrative --fix-suggestions "$t/fixed.json" "$t/one.json" >/dev/null 2>"$t/fix.err"
check "fix: exit 1 (the input has errors)" test $? -eq 1
check "fix: says what it wrote" grep -q "1 correction written to .*fixed.json for review" "$t/fix.err"
check "fix: input untouched" cmp -s "$t/one.json" "$t/keep.json"
check "fix: the seed's figures come back" python3 -c "
import json, sys
a = json.load(open(sys.argv[1], encoding='utf-8')); b = json.load(open(sys.argv[2], encoding='utf-8'))
sys.exit(0 if a['tables'] == b['tables'] else 1)" "$t/fixed.json" "$sample"
"$BK" validate --skip narrative "$t/fixed.json" >/dev/null
check "fix: the corrected document validates" test $? -eq 0
"$BK" validate --skip narrative --fix-suggestions "$t/fixed.xml" "$t/two.json" >/dev/null 2>"$t/fix2.err"
check "fix: two corrections, XML by extension" grep -q "2 corrections written" "$t/fix2.err"
"$BK" validate --skip narrative "$t/fixed.xml" >/dev/null
check "fix: the corrected XML validates" test $? -eq 0
"$BK" validate --skip narrative --fix-suggestions "$t/one.json" "$t/one.json" >/dev/null 2>"$t/inplace.err"
check "fix: never in place (exit 2)" test $? -eq 2
check "fix: never in place (message)" grep -q "never over its input" "$t/inplace.err"
check "fix: never in place (input untouched)" cmp -s "$t/one.json" "$t/keep.json"
"$BK" validate --skip narrative --fix-suggestions "$t/" "$t/one.json" >/dev/null 2>&1
check "fix: not into a folder" test $? -eq 2
"$BK" validate --skip narrative --fix-suggestions "$t/only-fixed.json" "$t/only.json" >/dev/null 2>"$t/only.err"
check "fix: equal explanations are left to a person" grep -q "0 corrections written.*2 left out: several cells fit equally" "$t/only.err"
"$BK" validate --help | grep -q -- "--fix-suggestions OUT"
check "fix: in --help" test $? -eq 0

# --- the seed itself: nothing to explain ---
"$BK" validate --skip narrative --format json "$sample" >"$t/seed.rep"
check "seed: no explanation" ask "$t/seed.rep" 'not any(f["rule"].startswith("explain.") for f in r["findings"])'

finish explain
