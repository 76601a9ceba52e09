#!/usr/bin/env bash
# Sets up the machine, builds Kiln and runs the demo: the Fashion-MNIST MLP's
# forward pass and loss (examples/mlp_forward.mlir), compiled for this CPU and
# run on random inputs, ending with a short results table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KILN_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh"

kilnc=$build/bin/kilnc
example=$root/examples/mlp_forward.mlir
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for fn in forward loss; do
  echo "== kilnc jit examples/mlp_forward.mlir --function $fn"
  "$kilnc" jit "$example" --function "$fn" --repeat 200 | tee "$out/$fn.txt"
done

echo
echo "Results (MLP 784-256-256-10, batch 64, random inputs):"
printf '  %-9s %-12s %-14s %s\n' function compile-s us/call "result sums"
for fn in forward loss; do
  awk -v fn="$fn" '
    /compiled in/ { c = $4; u = $6 }
    /^result/     { s = s (s ? ", " : "") $5 }
    END           { printf "  %-9s %-12s %-14s %s\n", fn, c, u, s }
  ' "$out/$fn.txt"
done
echo "  (forward: each softmax row sums to 1, so the sum is the batch size 64)"
