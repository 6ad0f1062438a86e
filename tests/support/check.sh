# Shared by the shell tests: run from the source tree with a temporary folder $t (removed on
# exit), the sample in $S, and check/finish counting what passed.
#   source "$BK_SOURCE_DIR/tests/support/check.sh"
#   check "what" COMMAND...     ok or FAIL, counted
#   finish NAME                 the summary line; fails when a check failed
: "${BK:?}" "${BK_SOURCE_DIR:?}"
cd "$BK_SOURCE_DIR"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
S=samples/dapeng-2024
pass=0 failures=0
check() {
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; pass=$((pass + 1)); else echo "FAIL $what"; failures=$((failures + 1)); fi
}
finish() {
  echo "$1: $pass passed, $failures failed"
  [ "$failures" = 0 ]
}
