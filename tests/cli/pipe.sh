#!/usr/bin/env bash
# Writing into a pipe whose reader has gone (`| head`) ends quietly, by SIGPIPE as other tools
# do: no error message, no temporary file left; a full disk is still an error (cli.sh).
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
# Well beyond a pipe's buffer, so the writer meets the closed pipe.
for i in $(seq 1 12); do cp "$S/budget.json" "$t/d$i.json"; done

quiet() { # quiet NAME COMMAND...: run COMMAND | head -c 100; stderr must stay empty
  local name=$1
  shift
  "$@" 2>"$t/$name.err" | head -c 100 >/dev/null
  local rc=${PIPESTATUS[0]}
  if [ -s "$t/$name.err" ]; then echo "  stderr: $(head -3 "$t/$name.err")"; return 1; fi
  # 141 = killed by SIGPIPE, like cat or grep (0 when all was written before head left);
  # never the error status 2.
  [ "$rc" = 141 ] || [ "$rc" = 0 ] || { echo "  exit status $rc"; return 1; }
}
cat "$t"/d*.json "$t"/d*.json "$t"/d*.json >"$t/bulk.json"
check "convert to a closed pipe is quiet" quiet convert "$BK" convert "$t"/d*.json --to csv -
check "convert (JSON Lines) to a closed pipe is quiet" quiet lines "$BK" convert "$t"/d*.json --to json -
check "info to a closed pipe is quiet" quiet info "$BK" info "$t/bulk.json"
check "validate to a closed pipe is quiet" quiet validate "$BK" validate --lang en "$t/bulk.json" "$t/bulk.json" "$t/bulk.json"
check "no temporary left" bash -c "! ls -A '$t' | grep -q tmp-"
finish pipe
