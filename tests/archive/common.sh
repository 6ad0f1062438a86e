# Shared by the archive's shell tests, sourced after `set -euo pipefail`: a temporary folder
# $work (removed on exit), the sample budget in $sample, and fail, which stops the test.
fail() { echo "FAIL: $*" >&2; exit 1; }

sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
