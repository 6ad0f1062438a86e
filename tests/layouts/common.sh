# Shared by the layout tests: a temporary folder $out (removed on exit) and
#   check WHAT 'CONDITION'   ok or FAIL, counted in $fails; CONDITION is evaluated at once, so
#                            it may test $? of the command before
: "${BK:?}" "${BK_SOURCE_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }
