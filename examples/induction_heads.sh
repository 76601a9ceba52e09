#!/usr/bin/env bash
# The induction-heads flagship: builds and runs examples/induction_heads.kiln
# (seed 0 unless given), prints copy accuracy every 250 steps and the final
# per-head scores, and draws copy accuracy and every head's induction and
# previous-token scores against the step to runs/induction_heads/curves.png.
#
# Usage: examples/induction_heads.sh [build-dir] [seed]   (default: build, 0)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${KILN_BUILD_DIR:-$root/build}}
seed=${2:-0}
out=${KILN_INDUCTION_OUT:-$root/runs/induction_heads}
program=$build/examples/induction_heads
mkdir -p "$out" "$(dirname "$program")"

"$build/bin/kilnc" build "$root/examples/induction_heads.kiln" -o "$program"
start=$(date +%s.%N)
"$program" --seed "$seed" --out "$out/seed-$seed" 2> "$out/seed-$seed.log"
awk -v a="$start" -v b="$(date +%s.%N)" \
  'BEGIN { printf "run: %.1f s (2000 train steps and 40 evaluations)\n", b - a }'

# Curves need matplotlib (Debian's python3-matplotlib); the table does not.
if ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends python3-matplotlib >/dev/null ||
    echo "induction_heads: python3-matplotlib unavailable; table only" >&2
fi
/usr/bin/python3 "$root/examples/induction_heads_report.py" \
  "$out/seed-$seed/metrics.jsonl" "$out/curves.png"
