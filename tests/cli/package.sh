#!/usr/bin/env bash
# Programs build against the installed library with pkg-config and with CMake's
# find_package, and the example in examples/ reads the sample's grand total through the
# public API (bk_doc_summary), finding the plugins of the (moved) installed tree.
set -euo pipefail
: "${BK_BUILD_DIR:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"
want="深圳市大鹏新区政务服务数据管理局 2024: 4,115.36 万元, 12 tables"

cmake --install "$BK_BUILD_DIR" --prefix "$t/first" >/dev/null
mv "$t/first" "$t/prefix"
prefix="$t/prefix"
for f in lib/pkgconfig/budgetkit.pc lib/cmake/budgetkit/budgetkitConfig.cmake \
         lib/cmake/budgetkit/budgetkitConfigVersion.cmake lib/cmake/budgetkit/budgetkitTargets.cmake \
         include/budgetkit/summary.h share/man/man1/budgetkit.1 \
         share/bash-completion/completions/budgetkit; do
  [ -f "$prefix/$f" ] || die "$f not installed"
done
ok

# pkg-config, from the moved tree (the .pc file locates the prefix from its own folder).
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion budgetkit)" = "$(sed -n 's/^project(budgetkit VERSION \([0-9.]*\).*/\1/p' "$BK_SOURCE_DIR/CMakeLists.txt")" ] || die "pkg-config version"
libdir=$(pkg-config --variable=libdir budgetkit)
[ "$(cd "$libdir" && pwd -P)" = "$(cd "$prefix/lib" && pwd -P)" ] || die "pkg-config libdir $libdir is not the moved prefix"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror "$BK_SOURCE_DIR/examples/summary.c" -o "$t/summary-pc" \
   $(pkg-config --cflags --libs budgetkit) -Wl,-rpath,"$libdir"
got=$(cd "$t" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR ./summary-pc "$sample")
[ "$got" = "$want" ] || die "pkg-config build printed '$got', expected '$want'"
ok

# CMake find_package.
cmake -S "$BK_SOURCE_DIR/examples" -B "$t/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" >"$t/cmake.log" 2>&1 \
  || { cat "$t/cmake.log"; die "find_package(budgetkit) failed"; }
cmake --build "$t/cmake-build" >"$t/build.log" 2>&1 || { cat "$t/build.log"; die "example build with CMake failed"; }
got=$(cd "$t" && env -u BUDGETKIT_PLUGIN_PATH -u BUDGETKIT_DATA_DIR "$t/cmake-build/summary" "$sample")
[ "$got" = "$want" ] || die "CMake build printed '$got', expected '$want'"
ok
# A version the package does not offer is refused.
cat >"$t/v2.cmake" <<'CM'
find_package(budgetkit 9 QUIET)
if(budgetkit_FOUND)
  message(FATAL_ERROR "version 9 accepted")
endif()
CM
cmake -DCMAKE_PREFIX_PATH="$prefix" -P "$t/v2.cmake" || die "budgetkitConfigVersion accepts version 9"
ok
finish package
