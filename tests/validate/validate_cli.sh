#!/usr/bin/env bash
# budgetkit validate as a user calls it: the seed, a broken copy, --strict, --format json,
# --only, --catalog and the validators' options.
set -euo pipefail

sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# The seed's tables: no error, exit 0, and the two notes they carry.
"$BK" validate --skip narrative "$sample" >"$out/seed.txt" 2>&1 \
  || fail "the seed does not validate: $(cat "$out/seed.txt")"
grep -q "0 errors" "$out/seed.txt" || fail "no '0 errors' in: $(cat "$out/seed.txt")"
grep -q "codes.table-truncated" "$out/seed.txt" || fail "the lost top of Table 3 is not noted"
grep -q "totals.percent-base-zero" "$out/seed.txt" || fail "the zero-base percentage is not noted"

# The seed's text: one change that the tables contradict (exit 1), one sum within rounding.
status=0
"$BK" validate --lang en "$sample" >"$out/text.txt" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "expected exit 1 on the seed's narrative, got $status"
grep -q "1 document, 1 error, 0 warnings, 1 within rounding, 2 info" "$out/text.txt" \
  || fail "unexpected counts: $(cat "$out/text.txt")"
grep -q "error \[narrative.change\]" "$out/text.txt" || fail "no narrative.change: $(cat "$out/text.txt")"
grep -q "rounding \[narrative.sum\]" "$out/text.txt" || fail "no narrative.sum: $(cat "$out/text.txt")"

# A percentage one place off: exit 1, the cell named, the figures shown.
sed 's/"change_pct": "-20.57"/"change_pct": "-20.60"/' "$sample" >"$out/bad.json"
status=0
"$BK" validate --lang en "$out/bad.json" >"$out/bad.txt" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "expected exit 1 on a wrong percentage, got $status: $(cat "$out/bad.txt")"
grep -q "totals.percent" "$out/bad.txt" || fail "no totals.percent finding: $(cat "$out/bad.txt")"
grep -q "T05 row 信息技术服务 column change_pct: -20.60 printed" "$out/bad.txt" \
  || fail "the finding does not name the cell: $(cat "$out/bad.txt")"

# JSON report: the same finding with its figures.
status=0
"$BK" validate --format json "$out/bad.json" >"$out/bad.report.json" 2>"$out/err.txt" || status=$?
[ "$status" -eq 1 ] || fail "expected exit 1 with --format json, got $status"
grep -q '"rule": "totals.percent"' "$out/bad.report.json" || fail "no rule in the JSON report"
grep -q '"expected": "-20.568"' "$out/bad.report.json" || fail "no expected figure in the JSON report"
grep -q '"bound": "0.006"' "$out/bad.report.json" || fail "no bound in the JSON report"

# --only codes does not run the totals.
"$BK" validate --only codes "$out/bad.json" >"$out/codes.txt" 2>&1 || fail "--only codes found an error"
if grep -q "totals\." "$out/codes.txt"; then fail "--only codes ran the totals"; fi

# Within rounding is information, and an error under --strict.
sed 's/"amount": "3660.42"/"amount": "3660.44"/' "$sample" >"$out/round.json"
"$BK" validate --only totals "$out/round.json" >"$out/round.txt" 2>&1 \
  || fail "a difference within rounding failed without --strict: $(cat "$out/round.txt")"
grep -q "consistent within rounding" "$out/round.txt" || fail "no rounding note: $(cat "$out/round.txt")"
status=0
"$BK" validate --strict --only totals "$out/round.json" >"$out/strict.txt" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "--strict did not turn rounding into an error (exit $status)"

# A user's catalogue that cannot be read: exit 2, the file named.
status=0
"$BK" validate --catalog "$out/missing.csv" "$sample" >"$out/cat.txt" 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "expected exit 2 for a missing catalogue, got $status"
grep -q "missing.csv" "$out/cat.txt" || fail "the missing catalogue is not named: $(cat "$out/cat.txt")"

# A bad option value: exit 2 and a sentence saying what is allowed.
status=0
"$BK" validate --option unknown-econ-severity=fatal "$sample" >"$out/opt.txt" 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "expected exit 2 for a bad option, got $status"
grep -q "must be error, warning or info" "$out/opt.txt" || fail "unclear option error: $(cat "$out/opt.txt")"

echo "validate_cli: ok"
