#!/usr/bin/env bash
# The library is sealed: it exports exactly the functions declared in the public headers, and
# every function declared there is exported (a missing BK_API would hide it from plugins).
set -euo pipefail
: "${BK_BUILD_DIR:?}" "${BK_SOURCE_DIR:?}"
lib="$BK_BUILD_DIR/core/libbudgetkit.so"
headers="$BK_SOURCE_DIR/core/include/budgetkit"
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "D" || $2 == "B" {print $3}' | sort -u)
declared=$(grep -ho '^BK_API[^(]*(' "$headers"/*.h | sed 's/($//; s/.*[ *]//' | sort -u)
failed=0
extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
if [ -n "$extra" ]; then echo "exported but not declared with BK_API in a public header:"; echo "$extra"; failed=1; fi
if [ -n "$missing" ]; then echo "declared with BK_API but not exported:"; echo "$missing"; failed=1; fi
n=$(echo "$declared" | wc -l)
if [ "$failed" = 0 ]; then echo "exports: 1 passed, 0 failed ($n public functions)"; else echo "exports: 0 passed, 1 failed"; exit 1; fi
