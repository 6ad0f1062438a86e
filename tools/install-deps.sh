#!/usr/bin/env bash
# Install what budgetkit needs to build and test, from Debian's packages (run as root, or
# through sudo). Set BK_BENCH=1 to add the benchmark's peer tools.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libjansson-dev libxml2-dev libcsv-dev zlib1g-dev libzip-dev   # libraries
  libcmocka-dev python3 python3-jsonschema libxml2-utils        # tests: cmocka, schema checks
  libpoppler-glib-dev poppler-utils                             # pdf plugin (GPL), its tests
  clang libclang-rt-14-dev                                      # fuzzing and sanitizers
  valgrind time                                                 # tests: work and memory counted
  libxlsxwriter-dev libfreexl-dev python3-openpyxl python3-xlwt # spreadsheets; tests read and make them
  chromium fonts-wqy-microhei                                   # the HTML report in a browser
)
if [ "${BK_BENCH:-0}" = 1 ]; then
  packages+=(miller time)
fi
# Node.js runs the independent readers below; a machine that has it from elsewhere keeps it
# (Debian's npm package conflicts with other Node.js builds, which bring their own npm).
if ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"

# Independent readers the tests check outputs with (ajv in strict mode, the Frictionless Data
# Package library), from the npm registry into tests/node/.
(cd "$(dirname "$0")/../tests/node" && npm ci --no-audit --no-fund --loglevel=error)
# The benchmark's generic-engine peer, DuckDB, into tools/bench/node.
if [ "${BK_BENCH:-0}" = 1 ]; then
  (cd "$(dirname "$0")/bench/node" && npm ci --no-audit --no-fund --loglevel=error)
fi
