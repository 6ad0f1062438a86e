#!/usr/bin/env bash
# `cmake --install build --prefix DIR` puts everything in DIR, and the installed tree still works
# after it is moved: the program finds its library through RUNPATH $ORIGIN/../lib and the
# library finds plugins and data beside itself. Run from another folder, with no environment.
set -euo pipefail
: "${BK_BUILD_DIR:?}" "${BK_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$BK_BUILD_DIR" --prefix "$tmp/first" >"$tmp/install.log"
grep -q "/usr/local" "$tmp/install.log" && fail "install wrote outside the prefix: $(grep /usr/local "$tmp/install.log" | head -3)"
ok
mv "$tmp/first" "$tmp/moved"
mkdir "$tmp/elsewhere"
cp "$BK_SOURCE_DIR/samples/dapeng-2024/budget.json" "$tmp/elsewhere/in.json"
bin="$tmp/moved/bin/budgetkit"

readelf -d "$bin" | grep -E 'RUNPATH|RPATH' | grep -q '\$ORIGIN/../lib' || fail "program has no RUNPATH \$ORIGIN/../lib: $(readelf -d "$bin" | grep -E 'RUNPATH|RPATH')"
ok

(cd "$tmp/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR -u LD_LIBRARY_PATH \
   "$bin" plugins >"$tmp/plugins")
grep -q "$tmp/moved/lib/budgetkit/plugins-1/bk-json.so" "$tmp/plugins" || { cat "$tmp/plugins"; fail "moved json plugin not found"; }
grep -q "data folder: $tmp/moved/lib/../share/budgetkit" "$tmp/plugins" || { cat "$tmp/plugins"; fail "moved data folder not used"; }
ok

(cd "$tmp/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR -u LD_LIBRARY_PATH \
   "$bin" convert in.json out.xml && "$bin" convert out.xml back.json)
cmp "$tmp/elsewhere/in.json" "$tmp/elsewhere/back.json" || fail "round trip through the moved install differs"
ok
(cd "$tmp/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR -u LD_LIBRARY_PATH \
   "$bin" convert --layout wide in.json wide/) || fail "wide CSV (templates from the data folder) failed"
[ -s "$tmp/elsewhere/wide/T01.csv" ] || fail "no wide tables written"
ok
(cd "$tmp/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR -u LD_LIBRARY_PATH \
   "$bin" validate --lang en --skip narrative in.json >"$tmp/report") || { cat "$tmp/report"; fail "validate in the moved install failed"; }
grep -q "1 document, 0 errors" "$tmp/report" || { cat "$tmp/report"; fail "validate report unexpected"; }
ok

# Without plugins the cause is said, not "cannot tell the output format".
rm -rf "$tmp/moved/lib/budgetkit/plugins-1"
set +e
(cd "$tmp/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH "$bin" convert in.json out2.xml) 2>"$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "convert without plugins exited $rc"
grep -q "no plugins found in $tmp/moved/lib/budgetkit/plugins-1" "$tmp/err" || { cat "$tmp/err"; fail "no 'no plugins found in' message"; }
[ ! -e "$tmp/elsewhere/out2.xml" ] || fail "output written without plugins"
ok
echo "install: $pass passed, 0 failed"
