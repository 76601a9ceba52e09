#!/usr/bin/env bash
# Builds a libFuzzer target and runs it: kiln-check (default), the .kiln
# parser and checker; idx, the runtime's IDX (MNIST) file parser; or
# checkpoint, the runtime's checkpoint loader and verifier.
#
#   scripts/fuzz.sh [--target kiln-check|idx|checkpoint] [--seconds N]
#                   [--build-dir DIR] [--jobs N]
#
# Default: 600 seconds in build/fuzz (build/fuzz-idx for idx,
# build/fuzz-checkpoint for checkpoint). The kiln-check corpus starts from
# examples/ and frontends/std/, the idx and checkpoint corpora from small
# generated inputs; it grows in DIR/corpus; crashes land in DIR/artifacts.
# Exits 77 (a skip for ctest) when clang-22 or its fuzzer runtime is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=600
target=kiln-check
build=
jobs=1
usage="usage: $0 [--target kiln-check|idx|checkpoint] [--seconds N] [--build-dir DIR] [--jobs N]"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --target) target=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
case "$target" in
  kiln-check) build=${build:-$root/build/fuzz} ;;
  idx) build=${build:-$root/build/fuzz-idx} ;;
  checkpoint) build=${build:-$root/build/fuzz-checkpoint} ;;
  *) echo "$usage" >&2; exit 2 ;;
esac

llvm=/usr/lib/llvm-22
cxx=$llvm/bin/clang++
runtime=$("$cxx" -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a
if [[ ! -x $cxx || ! -f $runtime ]]; then
  echo "SKIPPED: clang-22's libFuzzer runtime ($runtime) is not installed;" \
       "install libclang-rt-22-dev to fuzz." >&2
  exit 77
fi
mkdir -p "$build/corpus" "$build/artifacts"
max_len=16384

if [[ $target == idx ]]; then
  binary="$build/idx-fuzzer"
  sources=("$root"/runtime/src/{idx,support,buffer}.cpp "$root/fuzz/idx_fuzzer.cpp")
  newest=$(find "${sources[@]}" "$root/runtime/src/support.h" \
                "$root/runtime/include/kiln" -newer "$binary" -print -quit \
                2>/dev/null || true)
  if [[ ! -x $binary || -n $newest ]]; then
    echo "building $binary" >&2
    "$cxx" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined \
      -fno-sanitize-recover=all -I"$root/runtime/include" \
      "${sources[@]}" -o "$binary" -lz
  fi
  # Seeds: a labels file and an images file, raw and gzip-compressed.
  seeds=("$build/seeds")
  mkdir -p "$build/seeds"
  printf '\0\0\x08\x01\0\0\0\x03\x01\x02\x03' >"$build/seeds/labels.idx"
  printf '\0\0\x08\x03\0\0\0\x02\0\0\0\x02\0\0\0\x02abcdefgh' \
    >"$build/seeds/images.idx"
  gzip -9 -c "$build/seeds/labels.idx" >"$build/seeds/labels.idx.gz"
  gzip -9 -c "$build/seeds/images.idx" >"$build/seeds/images.idx.gz"
  max_len=4096
elif [[ $target == checkpoint ]]; then
  binary="$build/checkpoint-fuzzer"
  sources=("$root"/runtime/src/{checkpoint_file,crc32c,support}.cpp
           "$root/fuzz/checkpoint_fuzzer.cpp")
  schema="$root/runtime/src/checkpoint.fbs"
  newest=$(find "${sources[@]}" "$schema" "$root/runtime/src/support.h" \
                "$root/runtime/include/kiln" -newer "$binary" -print -quit \
                2>/dev/null || true)
  if [[ ! -x $binary || -n $newest ]]; then
    echo "building $binary" >&2
    flatc --cpp --scoped-enums -o "$build/generated" "$schema"
    "$cxx" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined \
      -fno-sanitize-recover=all -I"$root/runtime/include" \
      -I"$root/runtime/src" -I"$build/generated" \
      "${sources[@]}" -o "$binary"
  fi
  # Seeds: raw garbage, and the valid checkpoint whole, patched, truncated.
  seeds=("$build/seeds")
  mkdir -p "$build/seeds"
  printf '\0KILN' >"$build/seeds/raw"
  printf '\1' >"$build/seeds/valid"
  printf '\1\0\x14\x01' >"$build/seeds/patched"
  printf '\1\x80' >"$build/seeds/truncated"
  max_len=4096
else
  sources=("$root"/frontends/Language/*.cpp
           "$root"/dialects/Graph/IR/GraphShapes.cpp
           "$root"/fuzz/kiln_check_fuzzer.cpp)
  binary="$build/kiln-check-fuzzer"

  # Rebuild only when a source or header changed since the last build.
  newest=$(find "$root/frontends/Language" "$root/fuzz/kiln_check_fuzzer.cpp" \
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
fi

parallel=()
if [[ $jobs -gt 1 ]]; then
  parallel=(-jobs="$jobs" -workers="$jobs")
fi
cd "$build"
exec "$binary" "$build/corpus" "${seeds[@]}" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 \
  "${parallel[@]}" 2>&1
