#!/usr/bin/env bash
# Times the forward and backward pass of one multi-head causal
# self-attention layer (bench/attention.kiln: batch 32 of 64 tokens, width
# 64, 4 heads of 16; plain SGD with lr 0, so the update is negligible) and
# compares it with its FLOP floor: the layer's matrix-product flops (302
# MFLOP: 4 projections and the two attention products, forward and both
# backward products) at the machine's peak sgemm rate, measured in the same
# run as a 1024^3 product on OpenBLAS through numpy (all cores).
#
# The layer's time is the train step of bench/attention.kiln minus that of
# bench/attention_harness.kiln, the same program without the layer (token
# embedding, its gradient, the loss, the data: about an eighth of the
# step), each the better of two measurements (1100 minus 100 steps).
#
# Usage: bench/attention.sh [build-dir]   (default: $KILN_BUILD_DIR or build)
# Prints
#   BENCH attention_fwd_bwd_vs_floor ratio=<floor/kiln> kiln=<layer us>us baseline=<floor us>us step=<us> harness=<us> gemm_gflops=<rate>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${KILN_BUILD_DIR:-$root/build}}
kilnc=$build/bin/kilnc
[ -x "$kilnc" ] || { echo "attention: $kilnc not found; build Kiln first (scripts/build.sh)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-attention.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for program in attention attention_harness; do
  "$kilnc" build "$root/bench/$program.kiln" -o "$tmp/$program" >"$tmp/build.log" 2>&1 || {
    tail -n 20 "$tmp/build.log" >&2
    echo "attention: FAILED: kilnc build $program" >&2
    exit 1
  }
done
seconds() { # program steps -> wall seconds of one run on all cores
  local start end
  start=$(date +%s.%N)
  "$tmp/$1" --steps "$2" --threads "$(nproc)" --out "$tmp/run" >/dev/null 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
step_us() { # program -> microseconds per step, the better of two
  local best=
  for _ in 1 2; do
    local short long us
    short=$(seconds "$1" 100)
    long=$(seconds "$1" 1100)
    us=$(awk -v s="$short" -v l="$long" 'BEGIN { printf "%.1f", (l - s) / 1000 * 1e6 }')
    best=$(printf '%s\n' $best "$us" | sort -g | head -n 1)
  done
  echo "$best"
}
step=$(step_us attention)
harness=$(step_us attention_harness)
kiln_us=$(awk -v s="$step" -v h="$harness" 'BEGIN { printf "%.1f", s - h }')

gflops=$(/usr/bin/python3 - <<'PY'
import time
import numpy as np
a = np.random.rand(1024, 1024).astype(np.float32)
b = np.random.rand(1024, 1024).astype(np.float32)
a @ b
best = min((lambda t: (a @ b, time.perf_counter() - t)[1])(time.perf_counter())
           for _ in range(20))
print(f"{2 * 1024**3 / best / 1e9:.1f}")
PY
)
# Forward: 4 projections of 2048x64x64 and 2 products of 128 x 64x64x16;
# backward: two products for each.
flops=$(( 3 * (4 * 2 * 2048 * 64 * 64 + 2 * 2 * 128 * 64 * 64 * 16) ))
awk -v k="$kiln_us" -v f="$flops" -v g="$gflops" -v s="$step" -v h="$harness" 'BEGIN {
  floor = f / (g * 1e9) * 1e6
  printf "BENCH attention_fwd_bwd_vs_floor ratio=%.2f kiln=%.1fus baseline=%.1fus step=%.1fus harness=%.1fus gemm_gflops=%.1f\n", floor / k, k, floor, s, h, g
}'
