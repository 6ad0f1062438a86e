#!/usr/bin/env bash
# From a fresh clone: install the dependencies, build, and run the main job on the bundled
# sample (convert the seed budget to XML and CSV, then summarise it).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
mkdir -p build/out
build/tools/budgetkit convert samples/dapeng-2024/budget.json build/out/budget.xml
build/tools/budgetkit convert samples/dapeng-2024/budget.json build/out/budget.csv
build/tools/budgetkit info build/out/budget.xml
echo
echo "Converted samples/dapeng-2024/budget.json to build/out/budget.xml and build/out/budget.csv."
