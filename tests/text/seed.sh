#!/usr/bin/env bash
# The seed's own published text (tab-separated, as extracted from its PDF) converts with no
# options to the figures of the sample, and validates.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BK" convert samples/dapeng-2024/source.txt "$tmp/read.json" 2>"$tmp/err" ||
  { cat "$tmp/err"; exit 1; }
python3 tests/text/seed_figures.py samples/dapeng-2024/budget.json "$tmp/read.json"
"$BK" info --lang en "$tmp/read.json" | grep -q 'fiscal year  2024'
echo "text seed: 1 passed, 0 failed"
