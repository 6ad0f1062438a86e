#!/usr/bin/env bash
# Every broken sample in samples/invalid/FORMAT/NAME is refused: exit status 2, the expected
# message (NAME.error, one line) in the error, the error naming the file, no output file, no
# crash. A NAME.warning file instead means: accepted, with that warning. NAME.args holds extra
# options for the conversion (a smaller limit, say), on one line.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0 fail=0
plugins=$("$BK" plugins 2>/dev/null)
for input in "$BK_SOURCE_DIR"/samples/invalid/*/*; do
  case "$input" in *.error|*.warning|*.args|*.md|*.py|*.sh) continue ;; esac
  name=${input#"$BK_SOURCE_DIR"/samples/invalid/}
  from=$(basename "$(dirname "$input")")
  case "$from" in csv-wide|csv-lines) from=csv ;; esac
  # An optional plugin not built here (pdf without poppler): nothing to refuse with.
  grep -q "^  $from " <<<"$plugins" || continue
  target="$out/result.json"
  rm -f "$target"
  args=()
  if [ -f "$input.args" ]; then read -r -a args <"$input.args"; fi
  "$BK" convert "${args[@]}" --from "$from" "$input" "$target" >"$out/stdout" 2>"$out/stderr"
  status=$?
  if [ -f "$input.warning" ]; then
    want=$(head -n1 "$input.warning")
    if [ "$status" -eq 0 ] && grep -qF -- "$want" "$out/stderr" && [ -s "$target" ]; then
      pass=$((pass + 1))
    else
      echo "FAIL $name: expected success with warning '$want', got status $status: $(head -c 300 "$out/stderr")"
      fail=$((fail + 1))
    fi
    continue
  fi
  if [ ! -f "$input.error" ]; then
    echo "FAIL $name: no $name.error beside it"
    fail=$((fail + 1))
    continue
  fi
  want=$(head -n1 "$input.error")
  problems=()
  [ "$status" -eq 2 ] || problems+=("exit status $status, expected 2")
  grep -qF -- "$want" "$out/stderr" || problems+=("message lacks '$want'")
  grep -qF -- "$(basename "$input")" "$out/stderr" || problems+=("message does not name the file")
  [ ! -e "$target" ] || problems+=("an output file was created")
  if ls -A "$out" | grep -q '\.tmp-'; then problems+=("a temporary file was left"); fi
  if [ ${#problems[@]} -eq 0 ]; then
    pass=$((pass + 1))
  else
    echo "FAIL $name: ${problems[*]}; stderr: $(head -c 300 "$out/stderr")"
    fail=$((fail + 1))
  fi
done
echo "invalid samples: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
