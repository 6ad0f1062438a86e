# Shared by the shell tests: run from the source tree with a temporary folder $t (removed on
# exit), the sample in $S, and check/finish counting what passed.
#   source "$BK_SOURCE_DIR/tests/support/check.sh"
#   check "what" COMMAND...     ok or FAIL, counted
#   ok                          one more passed (for a script that stops at the first failure)
#   die WHAT                    FAIL WHAT, and stop with status 1
#   finish NAME                 the summary line; fails when a check failed
#   status_is WANT COMMAND...   the command exits WANT (its output in $t/out, $t/err)
#   edit IN OUT 'STATEMENT'     a copy of a JSON budget changed by a Python statement on d
#   run_bk ARGS...              $BK ARGS with a time limit: $status, $t/out, $t/err
#   fail WHAT                   a failed check counted, shown with the last standard error
#   expect_refusal WHAT PATTERN the last run_bk exited 2 with a "budgetkit: " line matching
#                               PATTERN and no sanitizer report
: "${BK:?}" "${BK_SOURCE_DIR:?}"
cd "$BK_SOURCE_DIR"
t=$(mktemp -d)
trap 'chmod -R u+w "$t" 2>/dev/null; rm -rf "$t"' EXIT
S=samples/dapeng-2024
pass=0 failures=0
check() {
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; pass=$((pass + 1)); else echo "FAIL $what"; failures=$((failures + 1)); fi
}
ok() { pass=$((pass + 1)); }
die() {
  echo "FAIL $*"
  exit 1
}
finish() {
  echo "$1: $pass passed, $failures failed"
  [ "$failures" = 0 ]
}
status_is() {
  local want=$1
  shift
  "$@" >"$t/out" 2>"$t/err"
  local got=$?
  [ "$got" -eq "$want" ] || { echo "  exit $got, expected $want: $(head -c 300 "$t/err")"; return 1; }
}
edit() {
  python3 -c "
import json,sys
d=json.load(open(sys.argv[1],encoding='utf-8'))
$3
json.dump(d,open(sys.argv[2],'w',encoding='utf-8'),ensure_ascii=False,indent=2)" "$1" "$2"
}
run_bk() {
  status=0
  timeout 60 "$BK" "$@" >"$t/out" 2>"$t/err" || status=$?
}
fail() {
  echo "FAIL $*"
  if [ -s "$t/err" ]; then sed 's/^/    stderr: /' "$t/err" | head -10; fi
  failures=$((failures + 1))
}
expect_refusal() {
  local what=$1 pattern=$2
  if [ "$status" -ne 2 ]; then
    fail "$what: exit status $status, expected 2"
  elif ! grep -qE "^budgetkit: .*$pattern" "$t/err"; then
    fail "$what: no error matching /$pattern/"
  elif grep -qE 'runtime error:|Sanitizer' "$t/err"; then
    fail "$what: a sanitizer complained"
  fi
}
