#!/usr/bin/env bash
# The seed's own published text (tab-separated, as extracted from its PDF) converts with no
# options to the figures of the sample, and validates with the sample's findings: its one real
# error (the narrative's 政务服务事务 change) and no error of reading, such as Table 4's classes
# and items summed together once the text lost their indentation.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BK" convert samples/dapeng-2024/source.txt "$tmp/read.json" 2>"$tmp/err" ||
  { cat "$tmp/err"; exit 1; }
python3 tests/text/seed_figures.py samples/dapeng-2024/budget.json "$tmp/read.json"
"$BK" info --lang en "$tmp/read.json" | grep -q 'fiscal year  2024'
errors() { # the rules of a validation's errors, one a line
  "$BK" validate --lang en "$1" 2>/dev/null | sed -n 's/.*: error \[\([a-z.-]*\)\].*/\1/p' | sort || true
}
errors samples/dapeng-2024/source.txt >"$tmp/text.err"
errors samples/dapeng-2024/budget.json >"$tmp/json.err"
[ "$(cat "$tmp/json.err")" = narrative.change ] ||
  { echo "the sample's errors are not its one known error: $(cat "$tmp/json.err")"; exit 1; }
diff "$tmp/json.err" "$tmp/text.err" ||
  { echo "the text validates with other errors than the sample"; exit 1; }
# A Table 4 row whose name no coded table prints: the table is left as printed (no levels),
# never half guessed.
sed 's/^奖金\t50.29/奖金（另计）\t50.29/' samples/dapeng-2024/source.txt >"$tmp/renamed.txt"
grep -q '^奖金（另计）' "$tmp/renamed.txt" || { echo "the renamed row is not in the text"; exit 1; }
"$BK" convert "$tmp/renamed.txt" "$tmp/renamed.json" 2>/dev/null
python3 - "$tmp/renamed.json" <<'PY' || exit 1
import json, sys
t4 = [t for t in json.load(open(sys.argv[1], encoding="utf-8"))["tables"] if t["id"] == "T04"][0]
levels = [r.get("level") for r in t4["rows"] if r["kind"] == "item"]
if len(levels) != 21 or any(levels):
    sys.exit("T04 with an unknown name got levels: %s" % levels)
PY
echo "text seed: 3 passed, 0 failed"
