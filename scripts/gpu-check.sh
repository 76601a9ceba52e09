#!/usr/bin/env bash
# Runs Kiln's GPU test on a machine with an NVIDIA GPU: every case runs a
# graph function through the GPU pipeline's launch list and compares it with
# the CPU JIT. Prints nvidia-smi and a table of cases, writes the full log to
# $OUT/gpu-check.log when OUT is set, exits non-zero unless every case passes.
#
#   scripts/gpu-check.sh                  # build here: setup.sh, build-gpu/
#   scripts/gpu-check.sh --bundle FILE    # run a prebuilt scripts/gpu-bundle.sh
#
# Building needs LLVM/MLIR 22 (scripts/setup.sh installs it with apt-get).
# Lent GPU machines run Ubuntu without network access or LLVM 22: there, use
# the bundle, which carries the test binary and the libraries they lack.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  exec > >(tee "$OUT/gpu-check.log") 2>&1
fi

step() { echo "== $* ($(date +%T))"; }
die() { echo "gpu-check: $*" >&2; exit 1; }

build() {
  step "packages"
  scripts/setup.sh || die "scripts/setup.sh failed (no network? use --bundle)"
  step "configure build-gpu"
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DLLVM_USE_LINKER=lld >build-gpu.configure.log 2>&1 ||
    { cat build-gpu.configure.log; die "cmake failed"; }
  grep -E "CUDA toolkit" build-gpu.configure.log
  rm -f build-gpu.configure.log
  step "build kiln-gpu-tests"
  ninja -C build-gpu -j"$(nproc)" kiln-gpu-tests || die "build failed"
  tests=(build-gpu/test/gpu/kiln-gpu-tests)
}

unpack() {
  step "unpack $1"
  local dir
  dir=$(mktemp -d)
  tar -xJf "$1" -C "$dir" || die "cannot unpack $1"
  tests=(env "LD_LIBRARY_PATH=$dir/gpu-bundle/lib" "$dir/gpu-bundle/kiln-gpu-tests")
}

case "${1:-}" in
  --bundle) [ -n "${2:-}" ] || die "--bundle needs a file"; unpack "$2" ;;
  "") build ;;
  *) die "unknown argument $1" ;;
esac

step "nvidia-smi"
nvidia-smi || echo "gpu-check: nvidia-smi failed; the test will say why it skips"

step "run kiln-gpu-tests"
output=$("${tests[@]}" 2>&1)
status=$?
echo "$output"

step "summary"
echo "$output" | awk '
  /^\[ kiln-gpu \]/ { rows[++n] = sprintf("%-28s %-14s %s", $4, $6, $7) }
  END {
    printf "%-28s %-14s %s\n", "test", "max rel error", "result"
    for (i = 1; i <= n; i++) print rows[i]
    if (n == 0) print "(no case ran: see the skip or failure messages above)"
  }'
if echo "$output" | grep -q "^\[  SKIPPED \]"; then
  echo "gpu-check: cases were skipped (no usable GPU)"
  status=1
fi
[ "$status" -eq 0 ] && echo "gpu-check: all cases pass" || echo "gpu-check: FAILED"
exit "$status"
