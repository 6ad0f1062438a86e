#!/usr/bin/env bash
# Progress of convert and validate: on standard error only when it is a terminal or when
# --progress asks; updated by time (BUDGETKIT_PROGRESS_INTERVAL seconds), not by count; shows
# documents done, the input being read of those given and the rate; the last line says
# "N/N documents ... per second" and ends with a newline; in the chosen language.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
ins=("$S/budget.json" "$S/budget.xml" "$S/budget.json")

lines() { wc -l <"$1" | tr -d ' '; }
ends_with_newline() { [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]; }
last_is() { tail -n 1 "$1" | grep -Eqx "$2" || { echo "  last line: $(tail -n 1 "$1")"; return 1; }; }

# Every update shown (interval 0): one line per document, then the final one.
BUDGETKIT_PROGRESS_INTERVAL=0 "$BK" convert --lang en --progress "${ins[@]}" "$t/out.json" 2>"$t/err"
check "convert --progress: the output is written" test "$(lines "$t/out.json")" = 3
check "convert: a line per document and the final line" test "$(lines "$t/err")" = 4
check "convert: the input being read of those given" grep -q '^budgetkit: 2 documents converted, input 2/3 ([0-9]* per second)$' "$t/err"
check "convert: the last line is N/N documents ... per second" last_is "$t/err" 'budgetkit: 3/3 documents converted \([0-9]+ per second\)'
check "convert: it ends with a newline" ends_with_newline "$t/err"
check "convert: no carriage return off a terminal" bash -c "! grep -q $'\r' '$t/err'"

# By time, not by count: a long interval leaves only the final line.
BUDGETKIT_PROGRESS_INTERVAL=3600 "$BK" convert --lang en --progress "${ins[@]}" "$t/out2.json" 2>"$t/err"
check "an interval not yet over: only the final line" test "$(lines "$t/err")" = 1
check "... which is N/N" last_is "$t/err" 'budgetkit: 3/3 documents converted \([0-9]+ per second\)'

# Not asked and not a terminal: nothing.
BUDGETKIT_PROGRESS_INTERVAL=0 "$BK" convert --lang en "${ins[@]}" "$t/out3.json" 2>"$t/err"
check "without --progress, off a terminal, standard error stays empty" test ! -s "$t/err"
check "... and standard output carries only the document" bash -c \
  "BUDGETKIT_PROGRESS_INTERVAL=0 '$BK' convert --progress '$S/budget.json' - 2>/dev/null | cmp -s - '$S/budget.json'"

BUDGETKIT_PROGRESS_INTERVAL=0 "$BK" validate --lang en --progress "$S/budget.json" "$S/budget.xml" >"$t/report" 2>"$t/err"
check "validate --progress: the last line counts findings" last_is "$t/err" 'budgetkit: 2/2 documents validated, [0-9]+ findings \([0-9]+ per second\)'
check "validate: it ends with a newline" ends_with_newline "$t/err"
check "validate: the report is on standard output, untouched" bash -c "! grep -q 'per second' '$t/report'"

"$BK" convert --lang zh --progress "$S/budget.json" "$t/zh.json" 2>"$t/err"
check "in Chinese" last_is "$t/err" 'budgetkit: 已转换 1/1 份文档（每秒 [0-9]+ 份）'

# On a terminal it is shown unasked, redrawn in place, and ended with a newline.
if command -v script >/dev/null; then
  BUDGETKIT_PROGRESS_INTERVAL=0 script -qec "'$BK' convert --lang en ${ins[*]} '$t/tty.json' 2>&1 >/dev/null" /dev/null >"$t/tty" </dev/null
  check "a terminal: redrawn in place" grep -q $'\rbudgetkit: 2 documents converted, input 2/3' "$t/tty"
  check "a terminal: the final line, ended" grep -Eq $'\rbudgetkit: 3/3 documents converted \\([0-9]+ per second\\)\033\\[K\r?$' "$t/tty"
  # An error after a progress line starts a line of its own.
  printf '{' >"$t/broken.json"
  BUDGETKIT_PROGRESS_INTERVAL=0 script -qec "'$BK' convert --lang en ${ins[*]} '$t/broken.json' '$t/tty2.json' 2>&1 >/dev/null" /dev/null >"$t/tty2" </dev/null
  check "a terminal: an error after progress starts its own line" grep -q '^budgetkit: [^ ]*broken.json:' "$t/tty2"
else
  echo "note: script(1) is not installed; the terminal case is not checked"
fi

finish progress
