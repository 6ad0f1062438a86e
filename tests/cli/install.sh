#!/usr/bin/env bash
# `cmake --install build --prefix DIR` puts everything in DIR, and the installed tree still works
# after it is moved: the program finds its library through RUNPATH $ORIGIN/../lib and the
# library finds plugins and data beside itself. Run from another folder, with no environment.
set -euo pipefail
: "${BK_BUILD_DIR:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"

cmake --install "$BK_BUILD_DIR" --prefix "$t/first" >"$t/install.log"
grep -q "/usr/local" "$t/install.log" && die "install wrote outside the prefix: $(grep /usr/local "$t/install.log" | head -3)"
ok
mv "$t/first" "$t/moved"
mkdir "$t/elsewhere"
cp "$BK_SOURCE_DIR/samples/dapeng-2024/budget.json" "$t/elsewhere/in.json"
bin="$t/moved/bin/budgetkit"

readelf -d "$bin" | grep -E 'RUNPATH|RPATH' | grep -q '\$ORIGIN/../lib' || die "program has no RUNPATH \$ORIGIN/../lib: $(readelf -d "$bin" | grep -E 'RUNPATH|RPATH')"
ok

(cd "$t/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR -u LD_LIBRARY_PATH \
   "$bin" plugins >"$t/plugins")
grep -q "$t/moved/lib/budgetkit/plugins-1/bk-json.so" "$t/plugins" || { cat "$t/plugins"; die "moved json plugin not found"; }
grep -q "data folder: $t/moved/lib/../share/budgetkit" "$t/plugins" || { cat "$t/plugins"; die "moved data folder not used"; }
ok

(cd "$t/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR -u LD_LIBRARY_PATH \
   "$bin" convert in.json out.xml && "$bin" convert out.xml back.json)
cmp "$t/elsewhere/in.json" "$t/elsewhere/back.json" || die "round trip through the moved install differs"
ok
(cd "$t/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR -u LD_LIBRARY_PATH \
   "$bin" convert --layout wide in.json wide/) || die "wide CSV (templates from the data folder) failed"
[ -s "$t/elsewhere/wide/T01.csv" ] || die "no wide tables written"
ok
(cd "$t/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR -u LD_LIBRARY_PATH \
   "$bin" validate --lang en --skip narrative in.json >"$t/report") || { cat "$t/report"; die "validate in the moved install failed"; }
grep -q "1 document, 0 errors" "$t/report" || { cat "$t/report"; die "validate report unexpected"; }
ok

# Without plugins the cause is said, not "cannot tell the output format".
rm -rf "$t/moved/lib/budgetkit/plugins-1"
set +e
(cd "$t/elsewhere" && env -u BUDGETKIT_PLUGIN_PATH "$bin" convert in.json out2.xml) 2>"$t/err"
rc=$?
set -e
[ "$rc" = 2 ] || die "convert without plugins exited $rc"
grep -q "no plugins found in $t/moved/lib/budgetkit/plugins-1" "$t/err" || { cat "$t/err"; die "no 'no plugins found in' message"; }
[ ! -e "$t/elsewhere/out2.xml" ] || die "output written without plugins"
ok
finish install
