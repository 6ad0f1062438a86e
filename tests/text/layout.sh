#!/usr/bin/env bash
# Layout text (columns by position, a table continued over a page with its header printed
# again) reads to the same figures as the seed document.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BK" convert tests/data/text/dapeng-t07-t08-layout.txt "$tmp/out.json"
python3 tests/text/figures.py samples/dapeng-2024/budget.json "$tmp/out.json" T07 T08
# Every page break of the input fell inside a table: the continuation rows are all there.
grep -c $'\f' tests/data/text/dapeng-t07-t08-layout.txt | grep -qx '[1-9][0-9]*'
