#!/usr/bin/env bash
# Benchmarks the train step of examples/induction_heads.kiln (two layers of
# 4-head causal self-attention, width 64, 64-token sequences, batch 32, Adam)
# built by kilnc, against the same model in PyTorch eager
# (bench/pytorch_induction_heads.py, Debian's python3-torch), each the best
# of 1 and 2 threads, on this machine in this run.
#
# Usage: bench/induction_heads.sh [build-dir]   (default: $KILN_BUILD_DIR or build)
#
# Kiln's step time is (time of 450 steps - time of 50 steps) / 400 over two
# whole runs of the binary, so start-up and the one evaluation cancel out.
# Prints
#   BENCH induction_step_vs_pytorch ratio=<pytorch/kiln> kiln=<us>us baseline=<us>us
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${KILN_BUILD_DIR:-$root/build}}
kilnc=$build/bin/kilnc
[ -x "$kilnc" ] || { echo "induction_heads: $kilnc not found; build Kiln first (scripts/build.sh)" >&2; exit 1; }
"$root/bench/ensure_torch.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-induction.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$kilnc" build "$root/examples/induction_heads.kiln" -o "$tmp/induction" >"$tmp/build.log" 2>&1 || {
  tail -n 20 "$tmp/build.log" >&2
  echo "induction_heads: FAILED: kilnc build" >&2
  exit 1
}
seconds() { # threads steps -> wall seconds of one run
  local start end
  start=$(date +%s.%N)
  "$tmp/induction" --out "$tmp/run" --rounds 1 --steps_per_round "$2" \
    --threads "$1" >/dev/null 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
kiln_us=""
for threads in 1 2; do
  short=$(seconds "$threads" 50)
  long=$(seconds "$threads" 450)
  us=$(awk -v s="$short" -v l="$long" 'BEGIN { printf "%.1f", (l - s) / 400 * 1e6 }')
  echo "induction_heads: kiln threads=$threads step_us=$us" >&2
  kiln_us=$(printf '%s\n%s\n' "$kiln_us" "$us" | sed '/^$/d' | sort -g | head -n 1)
done

torch_out=$(/usr/bin/python3 "$root/bench/pytorch_induction_heads.py" 1 2)
echo "$torch_out" | sed 's/^/induction_heads: pytorch /' >&2
torch_us=$(sed -n 's/.*step_us=\([0-9.]*\).*/\1/p' <<<"$torch_out" | sort -g | head -n 1)

awk -v k="$kiln_us" -v t="$torch_us" 'BEGIN {
  printf "BENCH induction_step_vs_pytorch ratio=%.2f kiln=%.1fus baseline=%.1fus\n", t / k, k, t
}'
