#!/usr/bin/env bash
# The library and the plugins print nothing of their own: no source under core/ or plugins/
# names standard error or a printing call that goes to the terminal, and no built module
# links one (what a program shows is the program's choice, through the diagnostics callback).
set -euo pipefail
: "${BK_BUILD_DIR:?}" "${BK_SOURCE_DIR:?}" "${BK_PLUGIN_DIR:?}"
failed=0
# fputs/fprintf/fwrite to a sink's FILE are fine; stdout only through a sink (sink.c's "-").
pattern='\bstderr\b|\bperror *\(|\bputs *\(|\bputchar *\(|\bv?printf *\(|\bwrite *\( *[12] *,'
found=$(grep -rnE "$pattern" "$BK_SOURCE_DIR/core" "$BK_SOURCE_DIR/plugins" --include='*.c' --include='*.h' |
  grep -vE '^[^:]+:[0-9]+: *(/\*|\*)' || true)
if [ -n "$found" ]; then echo "printing in the library or a plugin:"; echo "$found"; failed=1; fi
stdout_users=$(grep -rlw stdout "$BK_SOURCE_DIR/core" "$BK_SOURCE_DIR/plugins" --include='*.c' --include='*.h' |
  sed "s|^$BK_SOURCE_DIR/||" | grep -vx 'core/src/sink.c' || true)
if [ -n "$stdout_users" ]; then echo "standard output outside the sink:"; echo "$stdout_users"; failed=1; fi
symbols='^(stderr|perror|puts|putchar|printf|vprintf|__printf_chk|__vprintf_chk|warn|warnx|vwarn|vwarnx|err|errx|psignal)(@|$)'
modules=0
for so in "$BK_BUILD_DIR/core/libbudgetkit.so" "$BK_PLUGIN_DIR"/bk-*.so; do
  [ -f "$so" ] || continue
  modules=$((modules + 1))
  linked=$(nm -D --undefined-only "$so" | awk '{print $NF}' | grep -E "$symbols" || true)
  if [ -n "$linked" ]; then echo "${so##*/} links $(echo $linked)"; failed=1; fi
done
if [ "$modules" -lt 2 ]; then echo "no library or plugin found to check"; failed=1; fi
if [ "$failed" = 0 ]; then echo "quiet: 1 passed, 0 failed ($modules modules)"; else echo "quiet: 0 passed, 1 failed"; exit 1; fi
