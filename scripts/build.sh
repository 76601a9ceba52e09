#!/usr/bin/env bash
# Configures (once) and builds Kiln into build/ (or $KILN_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KILN_BUILD_DIR:-$root/build}

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DLLVM_USE_LINKER=lld
fi
cmake --build "$build" "$@"
