#!/usr/bin/env bash
# Benchmarks the MLP train step (784-256-256-10, batch 64, Adam) of Kiln
# against PyTorch eager (Debian's python3-torch, best of 1 and 2 threads) and
# against the GEMM floor (the step's matrix products alone on OpenBLAS), all
# on this machine in this run. Prints one BENCH line per comparison.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KILN_BUILD_DIR:-$root/build}

if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "bench: installing python3-torch (Debian) for the baseline" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends python3-torch >/dev/null
fi
"$root/scripts/build.sh" --target kiln-bench-mlp >/dev/null

kiln_out=$("$build/bench/kiln-bench-mlp" "$root/examples/mlp_train_step.mlir")
kiln_us=$(sed -n 's/^kiln_us=//p' <<<"$kiln_out")
floor_us=$(sed -n 's/^gemm_floor_us=//p' <<<"$kiln_out")

torch_out=$(/usr/bin/python3 "$root/bench/pytorch_mlp.py" 1 2)
echo "$torch_out" >&2
torch_us=$(sed -n 's/.*torch_us=//p' <<<"$torch_out" | sort -g | head -n 1)

awk -v k="$kiln_us" -v t="$torch_us" -v f="$floor_us" 'BEGIN {
  printf "BENCH mlp_train_step_vs_pytorch ratio=%.2f kiln=%.1fus baseline=%.1fus\n", t / k, k, t
  printf "BENCH mlp_train_step_vs_gemm_floor ratio=%.2f kiln=%.1fus baseline=%.1fus\n", f / k, k, f
}'
