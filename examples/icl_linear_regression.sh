#!/usr/bin/env bash
# The in-context linear regression flagship: builds and runs
# examples/icl_linear_regression.kiln (6000 steps, a few minutes on 2
# cores), prints the error / dimension at every number k of in-context
# examples for the transformer, least squares, ridge and one gradient step,
# checks the targets (k <= 4: within 1.2x of ridge; k = 16 and 19: at most
# 0.15 and at most half of one step's error), and draws
# runs/icl_linear_regression/errors.png.
#
# Usage: examples/icl_linear_regression.sh [build-dir] [seed]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${KILN_BUILD_DIR:-$root/build}}
seed=${2:-0}
out=${KILN_ICL_REGRESSION_OUT:-$root/runs/icl_linear_regression}
program=$build/examples/icl_linear_regression
mkdir -p "$out" "$(dirname "$program")"

"$build/bin/kilnc" build "$root/examples/icl_linear_regression.kiln" -o "$program"
start=$(date +%s.%N)
"$program" --seed "$seed" --out "$out/seed-$seed" 2> "$out/seed-$seed.log"
awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "run: %.1f s\n", b - a }'

if ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends python3-matplotlib >/dev/null ||
    echo "icl_linear_regression: python3-matplotlib unavailable; table only" >&2
fi
/usr/bin/python3 - "$out/seed-$seed/metrics.jsonl" "$out/errors.png" <<'PY'
import json, sys
names = ["transformer", "least_squares", "ridge", "one_step_gd"]
error = {name: {} for name in names}
for line in open(sys.argv[1]):
    row = json.loads(line)
    kind = row["name"].split("/")[1]
    error[kind][row["k"]] = row["value"]
ks = sorted(error["transformer"])
print(f"{'k':>2} " + " ".join(f"{n:>13}" for n in names))
for k in ks:
    print(f"{k:2d} " + " ".join(f"{error[n][k]:13.4f}" for n in names))
checks = [(f"k={k}: transformer <= 1.2 x ridge", error["transformer"][k] <= 1.2 * error["ridge"][k])
          for k in range(0, 5)]
for k in (16, 19):
    checks.append((f"k={k}: transformer <= 0.15", error["transformer"][k] <= 0.15))
    checks.append((f"k={k}: transformer <= one step / 2",
                   error["transformer"][k] <= 0.5 * error["one_step_gd"][k]))
print()
for text, ok in checks:
    print(f"{'PASS' if ok else 'MISS'}  {text}")
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
fig, axis = plt.subplots(figsize=(6, 4))
for name in names:
    axis.plot(ks, [error[name][k] for k in ks], marker="o", label=name.replace("_", " "))
axis.set_xlabel("in-context examples k")
axis.set_ylabel("squared error / dimension")
axis.set_ylim(0, 1.2)
axis.legend()
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=100)
print(f"\nerrors: {sys.argv[2]}")
PY
