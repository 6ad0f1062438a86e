# Shared by the tests of the published PDFs (run from the source folder): a temporary folder
# $tmp, removed on exit, and
#   convert_pdf NAME   tests/data/pdf/NAME.pdf into $tmp/NAME.json, its warnings in
#                      $tmp/NAME.err; a failed conversion ends the test
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
convert_pdf() {
  "$BK" convert "tests/data/pdf/$1.pdf" "$tmp/$1.json" 2>"$tmp/$1.err" ||
    { echo "$1: convert failed: $(cat "$tmp/$1.err")"; exit 1; }
}
