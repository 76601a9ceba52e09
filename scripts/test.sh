#!/usr/bin/env bash
# Sets up the machine, builds Kiln and runs every test: the lit suite and the
# GoogleTest suites, through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KILN_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)"
