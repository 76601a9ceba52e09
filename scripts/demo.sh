#!/usr/bin/env bash
# Sets up the machine, builds Kiln and runs the demo: the flagship experiment
# examples/fashion_mlp.kiln (an MLP on Fashion-MNIST, Adam, 5 epochs) built
# into a native program with `kilnc build` and run, ending with a short
# results table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KILN_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh"

program=$build/examples/fashion_mlp
out=${KILN_DEMO_OUT:-$root/runs/fashion_mlp}
mkdir -p "$(dirname "$program")"

echo "== kilnc build examples/fashion_mlp.kiln -o $program"
start=$(date +%s.%N)
"$build/bin/kilnc" build "$root/examples/fashion_mlp.kiln" -o "$program"
built=$(date +%s.%N)
echo "== $program --out $out"
"$program" --out "$out"
finished=$(date +%s.%N)

echo
echo "Results (MLP 784-256-256-10, Adam 1e-3, batch 64, seed 0):"
printf '  %-6s %-7s %s\n' epoch step test/accuracy
sed -n 's/.*"step":\([0-9]*\),"name":"test\/accuracy","value":\([0-9.e-]*\),.*"epoch":\([0-9]*\).*/\3 \1 \2/p' \
  "$out/metrics.jsonl" | while read -r epoch step value; do
  printf '  %-6s %-7s %.4f\n' "$epoch" "$step" "$value"
done
awk -v a="$start" -v b="$built" -v c="$finished" \
  'BEGIN { printf "  build %.1f s, run %.1f s; metrics in '"$out"'/metrics.jsonl\n", b - a, c - b }'
