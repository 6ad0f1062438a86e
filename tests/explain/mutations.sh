#!/usr/bin/env bash
# Every 10th amount cell of the seed's T01-T09 changed by +1.00 and by -0.37, one at a time:
# each must be explained by exactly that cell with its original value, or be one of equal
# single-cell explanations that are reported as such (mutate.py says which and counts them).
set -euo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$BK_SOURCE_DIR/tests/explain/mutate.py" "$BK" "$BK_SOURCE_DIR/samples/dapeng-2024/budget.json" \
  "$BK_SOURCE_DIR/formats/layouts/shenzhen" "$tmp"
