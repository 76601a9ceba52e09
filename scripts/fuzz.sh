#!/usr/bin/env bash
# Builds the libFuzzer target over the .kiln parser and checker and runs it.
#
#   scripts/fuzz.sh [--seconds N] [--build-dir DIR] [--jobs N]
#
# Default: 600 seconds in build/fuzz. The corpus starts from examples/ and
# frontends/std/ and grows in DIR/corpus; crashes land in DIR/artifacts.
# Exits 77 (a skip for ctest) when clang-22 or its fuzzer runtime is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=600
build="$root/build/fuzz"
jobs=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--build-dir DIR] [--jobs N]" >&2; exit 2 ;;
  esac
done

llvm=/usr/lib/llvm-22
cxx=$llvm/bin/clang++
runtime=$("$cxx" -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a
if [[ ! -x $cxx || ! -f $runtime ]]; then
  echo "SKIPPED: clang-22's libFuzzer runtime ($runtime) is not installed;" \
       "install libclang-rt-22-dev to fuzz the .kiln front-end." >&2
  exit 77
fi

sources=("$root"/frontends/Language/*.cpp
         "$root"/dialects/Graph/IR/GraphShapes.cpp
         "$root"/fuzz/kiln_check_fuzzer.cpp)
binary="$build/kiln-check-fuzzer"
mkdir -p "$build/corpus" "$build/artifacts"

# Rebuild only when a source or header changed since the last build.
newest=$(find "$root/frontends/Language" "$root/fuzz" \
              "$root/dialects/Graph/IR/GraphShapes.cpp" \
              "$root/dialects/Graph/IR/GraphShapes.h" -newer "$binary" \
              -print -quit 2>/dev/null || true)
if [[ ! -x $binary || -n $newest ]]; then
  echo "building $binary" >&2
  # shellcheck disable=SC2046
  "$cxx" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    $("$llvm/bin/llvm-config" --cxxflags) -fexceptions -I"$root" \
    -DKILN_STDLIB_DIR="\"$root/frontends\"" \
    "${sources[@]}" -o "$binary" \
    $("$llvm/bin/llvm-config" --ldflags --link-static --libs support) \
    $("$llvm/bin/llvm-config" --link-static --system-libs support)
fi

# Seeds: every example, the standard library and the regression inputs.
seeds=("$root/examples" "$root/frontends/std" "$root/fuzz/regressions")
parallel=()
if [[ $jobs -gt 1 ]]; then
  parallel=(-jobs="$jobs" -workers="$jobs")
fi
cd "$build"
exec "$binary" "$build/corpus" "${seeds[@]}" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 \
  "${parallel[@]}" 2>&1
