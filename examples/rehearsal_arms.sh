#!/usr/bin/env bash
# The continual-learning flagship: examples/permuted_fmnist_rehearsal.kiln in
# its three arms (policy powerlaw, uniform, none) with seeds 0, 1 and 2.
# Prints the final mean accuracy of each arm (mean ± s.d. over seeds) and each
# run's time, and draws the accuracy curves to runs/rehearsal/curves.png.
#
# Usage: examples/rehearsal_arms.sh [build-dir]   (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${KILN_BUILD_DIR:-$root/build}}
out=${KILN_REHEARSAL_OUT:-$root/runs/rehearsal}
program=$build/examples/permuted_fmnist_rehearsal
mkdir -p "$out" "$(dirname "$program")"

"$build/bin/kilnc" build "$root/examples/permuted_fmnist_rehearsal.kiln" \
  -o "$program"
for policy in powerlaw uniform none; do
  for seed in 0 1 2; do
    start=$(date +%s.%N)
    "$program" --policy "$policy" --seed "$seed" --out "$out/$policy-$seed" \
      2> "$out/$policy-$seed.log"
    awk -v a="$start" -v b="$(date +%s.%N)" -v arm="$policy-$seed" \
      'BEGIN { printf "%-12s %.1f s\n", arm, b - a }'
  done
done

# Curves need matplotlib (Debian's python3-matplotlib); the table does not.
if ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends python3-matplotlib >/dev/null 2>&1 ||
    echo "rehearsal: python3-matplotlib is not installable; no curves" >&2
fi
/usr/bin/python3 "$root/examples/rehearsal_report.py" "$out"
