#!/usr/bin/env bash
# Benchmarks the flagship experiment, examples/fashion_mlp.kiln (MLP
# 784-256-256-10 on Fashion-MNIST, Adam 1e-3, batch 64, 5 epochs, test
# accuracy after each epoch), built by kilnc into a native binary, against the
# same experiment in PyTorch eager (bench/pytorch_fashion_mlp.py, Debian's
# python3-torch, best of 1 and 2 threads; once with PyTorch's defaults, once
# with denormals flushed to zero as Kiln's runtime does), on this machine in
# this run.
#
# Usage: bench/fashion_mlp.sh [build-dir]   (default: $KILN_BUILD_DIR or build)
#
# Prints
#   BENCH kilnc_build_fashion_mlp seconds=<s> limit=5
#   BENCH fashion_mlp_vs_pytorch ratio=<pytorch/kiln> kiln=<s>s baseline=<s>s kiln_acc=<a> baseline_acc=<a>
#   BENCH fashion_mlp_vs_pytorch_ftz ... (the same, PyTorch flushing denormals)
# Kiln's time is the binary's whole process, data loading (gunzip and decoding
# of the IDX files) included; the baseline's excludes Python's imports and the
# data loading (training loop and evaluations only), which favors PyTorch.
# Fails (non-zero exit, no BENCH ratio line) when the build or a run fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${KILN_BUILD_DIR:-$root/build}}
build=$(cd "$build" 2>/dev/null && pwd) || {
  echo "fashion_mlp: build directory '${1:-${KILN_BUILD_DIR:-$root/build}}' not found" >&2
  exit 1
}
kilnc=$build/bin/kilnc
python=/usr/bin/python3
threads=2

[ -x "$kilnc" ] || { echo "fashion_mlp: $kilnc not found; build Kiln first (scripts/build.sh)" >&2; exit 1; }
"$root/bench/ensure_torch.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-fashion.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# (a) Compile time of the experiment.
cd "$root"
t0=$(now)
if ! "$kilnc" build examples/fashion_mlp.kiln -o "$tmp/fashion_mlp" >"$tmp/build.log" 2>&1; then
  echo "fashion_mlp: FAILED: '$kilnc build examples/fashion_mlp.kiln' failed:" >&2
  tail -n 20 "$tmp/build.log" >&2
  exit 1
fi
t1=$(now)
[ -x "$tmp/fashion_mlp" ] || { echo "fashion_mlp: FAILED: kilnc build produced no executable" >&2; exit 1; }
echo "BENCH kilnc_build_fashion_mlp seconds=$(elapsed "$t0" "$t1") limit=5"

# (b) The built binary, whole process wall time.
t0=$(now)
if ! "$tmp/fashion_mlp" --out "$tmp/run" --threads "$threads" >"$tmp/run.log" 2>&1; then
  echo "fashion_mlp: FAILED: the built binary exited with an error:" >&2
  tail -n 20 "$tmp/run.log" >&2
  exit 1
fi
t1=$(now)
kiln_s=$(elapsed "$t0" "$t1")
tail -n 1 "$tmp/run.log" >&2
kiln_acc=$("$python" -c '
import json, sys
acc = None
with open(sys.argv[1]) as f:
    for line in f:
        if line.strip():
            record = json.loads(line)
            if record.get("name") == "test/accuracy":
                acc = record["value"]
if acc is None:
    sys.exit("no test/accuracy in " + sys.argv[1])
print(f"{acc:.4f}")' "$tmp/run/metrics.jsonl") || {
  echo "fashion_mlp: FAILED: no test accuracy in $tmp/run/metrics.jsonl" >&2
  exit 1
}

# (c) PyTorch eager, best of 2 and 1 threads: as users run it, and with
# denormals flushed to zero like Kiln's runtime (torch.set_flush_denormal).
baseline() { # threads [flags]: prints "<seconds> <accuracy>"
  local out last s a
  out=$("$python" "$root/bench/pytorch_fashion_mlp.py" --threads "$@")
  last=$(tail -n 1 <<<"$out")
  echo "pytorch threads=$* $last" >&2
  s=$(sed -n 's/^time_s=\([0-9.]*\) .*/\1/p' <<<"$last")
  a=$(sed -n 's/.* accuracy=\([0-9.]*\)$/\1/p' <<<"$last")
  [ -n "$s" ] && [ -n "$a" ] || { echo "fashion_mlp: FAILED: cannot parse the baseline's output: $last" >&2; exit 1; }
  echo "$s $a"
}
best() { # prints the faster of its "<seconds> <accuracy>" lines
  sort -g | head -n 1
}
read -r default_s default_acc < <({ baseline 2; baseline 1; } | best)
read -r ftz_s ftz_acc < <({ baseline 2 --flush-denormal; baseline 1 --flush-denormal; } | best)
[ -n "${default_s:-}" ] && [ -n "${ftz_s:-}" ] || { echo "fashion_mlp: FAILED: a PyTorch baseline run failed" >&2; exit 1; }

# (d) The comparisons.
report() { # name baseline-seconds baseline-accuracy
  awk -v n="$1" -v k="$kiln_s" -v p="$2" -v ka="$kiln_acc" -v pa="$3" 'BEGIN {
    printf "BENCH %s ratio=%.2f kiln=%.3fs baseline=%.3fs kiln_acc=%s baseline_acc=%s\n", n, p / k, k, p, ka, pa
  }'
}
report fashion_mlp_vs_pytorch "$default_s" "$default_acc"
report fashion_mlp_vs_pytorch_ftz "$ftz_s" "$ftz_acc"
