#!/usr/bin/env bash
# The bash completion offers commands, each command's options, format names and option values;
# the man page renders without warnings and names every command.
set -uo pipefail
: "${BK_SOURCE_DIR:?}"
pass=0 failures=0
# shellcheck source=/dev/null
source "$BK_SOURCE_DIR/doc/budgetkit.bash"
complete_words() { # complete_words WORD... -> COMPREPLY for the last word
  COMP_WORDS=(budgetkit "$@")
  COMP_CWORD=$#
  COMPREPLY=()
  _budgetkit
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
expect() { # expect DESCRIPTION WANT WORD...
  local what=$1 want=$2
  shift 2
  local got
  got=$(complete_words "$@")
  if [ "$got" = "$want" ]; then echo "ok   $what"; pass=$((pass + 1))
  else echo "FAIL $what: got '$got', want '$want'"; failures=$((failures + 1)); fi
}
expect "commands" "convert " conv
expect "all commands and global options" "--data-dir --help --layout-family --limit --plugin-path --version consolidate convert diff help info layouts plugins validate " ""
expect "layouts options" "--format " layouts --f
expect "format names after --to" "archive csv json xlsx xml " convert --to ""
expect "report formats of validate" "html json text " validate --format ""
expect "money units" "万元 " convert --money-unit 万
expect "format names after --from" "json " info --from j
expect "convert options" "--layout --layout-family --limit " convert --l
expect "validate options" "--skip --strict " validate --s
expect "layouts" "lines wide " convert --layout ""
expect "languages" "en zh " validate --lang ""
expect "encodings" "gb18030 " convert --encoding g
expect "a global option before the command" "convert " --data-dir /tmp conv

# Every command the program lists, and every option its --help names, is offered: the
# completion cannot fall behind the program.
if [ -n "${BK:-}" ] && [ -x "$BK" ]; then
  commands=$("$BK" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}')
  offered=" $(complete_words "") "
  for c in $commands; do
    if [[ $offered == *" $c "* ]]; then pass=$((pass + 1))
    else echo "FAIL command $c is not completed"; failures=$((failures + 1)); fi
    [ "$c" = plugins ] && continue
    for o in $("$BK" "$c" --help 2>&1 | grep -oE '(^|[ ,])--[a-z][a-z-]*' | tr -d ' ,' | sort -u); do
      got=" $(complete_words "$c" "$o") "
      if [[ $got == *" $o "* ]]; then pass=$((pass + 1))
      else echo "FAIL $c $o is not completed"; failures=$((failures + 1)); fi
    done
  done
else
  echo "FAIL BK is not set to the built program"; failures=$((failures + 1))
fi

if command -v man >/dev/null; then
  out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$BK_SOURCE_DIR/doc/budgetkit.1" 2>&1 >/dev/null)
  if [ -z "$out" ]; then echo "ok   man page renders without warnings"; pass=$((pass + 1))
  else echo "FAIL man page warnings: $out"; failures=$((failures + 1)); fi
  page=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$BK_SOURCE_DIR/doc/budgetkit.1" 2>/dev/null)
  # Every command and every option the program's help names is in the manual too.
  names="--plugin-path --layout --strict --lang bom=yes"
  if [ -n "${BK:-}" ] && [ -x "$BK" ]; then
    for c in $("$BK" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}'); do
      names="$names $c $("$BK" "$c" --help 2>&1 | grep -oE '(^|[ ,])--[a-z][a-z-]*' | tr -d ' ,' | sort -u | tr '\n' ' ')"
    done
  fi
  for c in $names; do
    if grep -q -- "$c" <<<"$page"; then pass=$((pass + 1))
    else echo "FAIL man page lacks $c"; failures=$((failures + 1)); fi
  done
else
  echo "skip man page rendering: man is not installed"
fi
echo "completion: $pass passed, $failures failed"
[ "$failures" = 0 ]
