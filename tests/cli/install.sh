#!/usr/bin/env bash
# After `cmake --install`, the installed program finds its installed plugins and data.
set -euo pipefail
: "${BK_BUILD_DIR:?}" "${BK_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake -S "$BK_SOURCE_DIR" -B "$tmp/build" -DCMAKE_INSTALL_PREFIX="$tmp/prefix" -DBUILD_TESTING=OFF >/dev/null
cmake --build "$tmp/build" -j2 >/dev/null
cmake --install "$tmp/build" >/dev/null
bin="$tmp/prefix/bin/budgetkit"
"$bin" plugins >"$tmp/plugins"
grep -q "$tmp/prefix/lib/budgetkit/plugins-1/bk-json.so" "$tmp/plugins" || { echo "installed json plugin not found"; cat "$tmp/plugins"; exit 1; }
"$bin" convert "$BK_SOURCE_DIR/samples/dapeng-2024/budget.json" "$tmp/out.json"
cmp "$BK_SOURCE_DIR/samples/dapeng-2024/budget.json" "$tmp/out.json"
echo "install: 1 passed, 0 failed"
