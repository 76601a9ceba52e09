#!/usr/bin/env bash
# Benchmarks the MLP train step (784-256-256-10, batch 64, Adam) of Kiln
# against PyTorch eager (Debian's python3-torch, best of 1 and 2 threads) and
# against the GEMM floor (the step's matrix products alone on OpenBLAS), all
# on this machine in this run; then the whole Fashion-MNIST experiment
# (bench/fashion_mlp.sh: kilnc build time, and the built binary against
# PyTorch), the induction-heads train step (bench/induction_heads.sh), replay
# sampling, the narrow matrix-product kernel against OpenBLAS and checkpoint
# saves. Prints one BENCH line per comparison. A failure of the experiment
# benchmark leaves the lines above it standing and makes the exit status 1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KILN_BUILD_DIR:-$root/build}

"$root/bench/ensure_torch.sh"
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

# The flagship experiment, end to end. Its failure (kilnc or the binary) is
# reported but does not take back the train-step results above.
echo "bench: fashion_mlp (kilnc build, 5-epoch run vs PyTorch; a few minutes)" >&2
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
if ! "$root/scripts/build.sh" >"$build_log" 2>&1; then
  tail -n 20 "$build_log" >&2
  echo "bench: FAILED: building Kiln (scripts/build.sh); no fashion_mlp result" >&2
  exit 1
fi
if ! "$root/bench/fashion_mlp.sh" "$build"; then
  echo "bench: FAILED: bench/fashion_mlp.sh (see above); no fashion_mlp result" >&2
  exit 1
fi

# Sampling a replay batch (runtime only), against the train step above.
if ! "$root/scripts/build.sh" --target kiln-bench-replay >/dev/null ||
  ! "$build/bench/kiln-bench-replay" "$kiln_us"; then
  echo "bench: FAILED: kiln-bench-replay; no replay_sample_batch64 result" >&2
  exit 1
fi

# The narrow matrix-product kernel against OpenBLAS (runtime only).
if ! "$root/scripts/build.sh" --target kiln-bench-gemm-narrow >/dev/null ||
  ! "$build/bench/kiln-bench-gemm-narrow"; then
  echo "bench: FAILED: kiln-bench-gemm-narrow; no gemm_narrow result" >&2
  exit 1
fi

# What saving a checkpoint costs (runtime only).
if ! "$root/scripts/build.sh" --target kiln-bench-checkpoint >/dev/null ||
  ! "$build/bench/kiln-bench-checkpoint"; then
  echo "bench: FAILED: kiln-bench-checkpoint; no checkpoint_save result" >&2
  exit 1
fi

# The induction-heads transformer's train step against PyTorch eager.
if ! "$root/bench/induction_heads.sh" "$build"; then
  echo "bench: FAILED: bench/induction_heads.sh (see above); no induction result" >&2
  exit 1
fi

# One attention layer's forward and backward pass against its FLOP floor.
if ! "$root/bench/attention.sh" "$build"; then
  echo "bench: FAILED: bench/attention.sh (see above); no attention result" >&2
  exit 1
fi
