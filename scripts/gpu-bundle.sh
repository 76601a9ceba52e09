#!/usr/bin/env bash
# Packs the GPU test for a GPU machine that cannot build Kiln (no LLVM/MLIR 22,
# no network): kiln-gpu-tests from build/ plus the shared libraries such a
# machine (Ubuntu 24.04 with CUDA) lacks, as build/gpu-bundle.tar.xz (about
# 50 MB, within the 64 MiB a device run may carry). Run it there with
#   scripts/gpu-check.sh --bundle build/gpu-bundle.tar.xz
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

ninja -C "$build" -j2 kiln-gpu-tests
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/gpu-bundle/lib"
binary=$build/test/gpu/kiln-gpu-tests
cp "$binary" "$stage/gpu-bundle/"
for lib in libMLIR.so.22.1 libLLVM.so.22.1 libz3.so.4; do
  cp -L "$(ldd "$binary" | awk -v l="$lib" '$1 == l { print $3 }')" \
    "$stage/gpu-bundle/lib/"
done
tar -C "$stage" -cf - gpu-bundle | xz -T0 -9 >"$build/gpu-bundle.tar.xz"
ls -l "$build/gpu-bundle.tar.xz"
