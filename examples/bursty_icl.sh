#!/usr/bin/env bash
# The bursty in-context classification flagship in its four settings:
#   K = 4096 bursty (4000 steps), K = 512 non-bursty (3000 steps),
#   K = 64 bursty and K = 512 bursty (10000 steps each).
# Prints in-context accuracy (among the context's 2 labels, chance 1/2; and
# over all 32 labels) and in-weights accuracy every 1000 steps for each, and
# draws them against the step to runs/bursty_icl/curves.png. A few minutes
# on 2 cores.
#
# Usage: examples/bursty_icl.sh [build-dir] [seed]   (default: build, 0)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${KILN_BUILD_DIR:-$root/build}}
seed=${2:-0}
out=${KILN_BURSTY_OUT:-$root/runs/bursty_icl}
program=$build/examples/bursty_icl
mkdir -p "$out" "$(dirname "$program")"

"$build/bin/kilnc" build "$root/examples/bursty_icl.kiln" -o "$program"
run() { # name classes burstiness rounds
  local start
  start=$(date +%s.%N)
  "$program" --classes "$2" --burstiness "$3" --rounds "$4" --seed "$seed" \
    --out "$out/$1" 2> "$out/$1.log"
  awk -v a="$start" -v b="$(date +%s.%N)" -v name="$1" \
    'BEGIN { printf "%-16s %.1f s\n", name, b - a }'
}
run k4096-bursty 4096 4 8
run k512-iid 512 0 6
run k64-bursty 64 4 20
run k512-bursty 512 4 20

if ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends python3-matplotlib >/dev/null ||
    echo "bursty_icl: python3-matplotlib unavailable; table only" >&2
fi
/usr/bin/python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
runs = ["k4096-bursty", "k512-iid", "k64-bursty", "k512-bursty"]
kinds = ("icl_accuracy", "icl_accuracy_all_labels", "iwl_accuracy")
titles = ("in-context accuracy (among the 2 shown labels)",
          "in-context accuracy (over all 32 labels)", "in-weights accuracy")
series = {}
for name in runs:
    rows = [json.loads(l) for l in open(os.path.join(out, name, "metrics.jsonl"))]
    series[name] = {kind: [(r["step"], r["value"]) for r in rows if r["name"] == kind]
                    for kind in kinds}
print(f"\n{'setting':16} {'step':>5} {'in-context':>10} {'(any label)':>11} "
      f"{'in-weights':>10}")
for name in runs:
    for (step, icl), (_, any_label), (_, iwl) in zip(
            *(series[name][kind] for kind in kinds)):
        if step % 1000 == 0:
            print(f"{name:16} {step:5d} {icl:10.3f} {any_label:11.3f} {iwl:10.3f}")
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
fig, axes = plt.subplots(1, 3, figsize=(16, 4))
for index, kind in enumerate(kinds):
    for name in runs:
        steps, values = zip(*series[name][kind])
        axes[index].plot(steps, values, label=name)
    axes[index].set_title(titles[index])
    axes[index].set_xlabel("train step")
    axes[index].legend()
fig.tight_layout()
fig.savefig(os.path.join(out, "curves.png"), dpi=100)
print(f"\ncurves: {os.path.join(out, 'curves.png')}")
PY
