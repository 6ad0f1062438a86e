#!/usr/bin/env bash
# diff walks two bulks together: comparing two archives of the same documents in the same order
# takes no more memory than validating one (A's documents are read as B's arrive, not held),
# and names exactly the one changed cell. The sanitizer build's memory is its own (shadow
# memory, quarantine): there only the output is checked.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}" "${BULKGEN:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"

sanitized=0
grep -q '^BK_SANITIZE:BOOL=ON' "$BK_BUILD_DIR/CMakeCache.txt" 2>/dev/null && sanitized=1
[ "$sanitized" = 1 ] || [ -x /usr/bin/time ] ||
  die "/usr/bin/time is needed to measure memory (tools/install-deps.sh installs it)"

"$BULKGEN" --cells 500000 --seed 3 -d "$t/a" >/dev/null || die "bulkgen"
mkdir -p "$t/b" && cp "$t"/a/*.json "$t/b/"
# one figure of one document, the 100th
python3 - "$t/a/doc-000100.json" "$t/b/doc-000100.json" <<'PY' || die "edit"
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'"total": "(\d+)\.(\d\d)"', s)
new = '"total": "%s.%02d"' % (m.group(1), (int(m.group(2)) + 1) % 100)
open(sys.argv[2], "w", encoding="utf-8").write(s[:m.start()] + new + s[m.end():])
PY
"$BK" convert "$t"/a/*.json "$t/a.zip" && "$BK" convert "$t"/b/*.json "$t/b.zip" || die "convert"
docs=$(ls "$t/a" | wc -l)

# measure NAME CMD...: runs CMD (output in $t/out), its peak resident memory in KiB in $rss
measure() {
  local name=$1
  shift
  if [ "$sanitized" = 1 ]; then
    "$@" >"$t/out" 2>"$t/err"
  else
    /usr/bin/time -f '%M' -o "$t/rss" "$@" >"$t/out" 2>"$t/err"
  fi
  status=$?
  rss=0
  [ "$sanitized" = 1 ] || rss=$(tail -n 1 "$t/rss")
  echo "     $name: exit $status, $rss KiB"
}

measure validate "$BK" validate --jobs 1 "$t/a.zip"
validate_rss=$rss
measure diff "$BK" diff --lang en "$t/a.zip" "$t/b.zip"
check "diff exits 1" test "$status" -eq 1
check "one cell changed" grep -q "^$docs documents compared, $((docs - 1)) equal; 1 change: 1 cell" "$t/out"
check "in the 100th document" grep -q "^== $t/b.zip:documents/0100-.* (against $t/a.zip:documents/0100-" "$t/out"
if [ "$sanitized" = 0 ]; then
  # A held whole took 17 MiB more than validate on these 500,000 cells
  check "no more memory than validate (+8 MiB)" test "$rss" -le $((validate_rss + 8 * 1024))
fi
finish diff_memory
