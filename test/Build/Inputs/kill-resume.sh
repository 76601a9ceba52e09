#!/usr/bin/env bash
# Usage: KILNC=kilnc kill-resume.sh PROGRAM WORKDIR KILLS [PROGRAM FLAGS...]
# Runs PROGRAM once uninterrupted into WORKDIR/whole, then again into
# WORKDIR/killed, SIGKILLing it at random moments KILLS times (resuming with
# --resume after each kill) until it finishes. Exits non-zero unless the two
# metrics.jsonl files match (ignoring "time") and the newest checkpoints
# hold the same parameters. Random delays come from $RANDOM seeded by
# KILN_KILL_SEED, so a failure can be replayed.
set -euo pipefail
program=$1 work=$2 kills=$3
shift 3
RANDOM=${KILN_KILL_SEED:-1}
rm -rf "$work"
mkdir -p "$work"

"$program" "$@" --out "$work/whole" 2>"$work/whole.log"

killed=0 attempts=0 resume=()
while :; do
  attempts=$((attempts + 1))
  [ "$attempts" -le $((kills * 5)) ] || { echo "too many attempts" >&2; exit 1; }
  "$program" "$@" --out "$work/killed" "${resume[@]}" 2>>"$work/killed.log" &
  pid=$!
  resume=(--resume)
  if [ "$killed" -lt "$kills" ]; then
    # 20-400 ms: early kills land in startup and data loading, later ones
    # in steps and saves.
    sleep "0.$(printf '%03d' $((20 + RANDOM % 380)))"
    if kill -9 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      killed=$((killed + 1))
      continue
    fi
  fi
  wait "$pid" && break
  status=$?
  echo "the run failed with status $status; see $work/killed.log" >&2
  exit 1
done
echo "killed $killed times in $attempts attempts"

strip() { sed -E 's/,?"time":[^,}]*//' "$1"; }
diff <(strip "$work/whole/metrics.jsonl") <(strip "$work/killed/metrics.jsonl")
newest() { ls "$1"/checkpoints/*.kiln 2>/dev/null | sort -V | tail -n 1; }
a=$(newest "$work/whole") b=$(newest "$work/killed")
[ -n "$a" ] && [ -n "$b" ] || { echo "no checkpoints to compare" >&2; exit 1; }
[ "$(basename "$a")" = "$(basename "$b")" ] ||
  { echo "newest checkpoints differ: $a, $b" >&2; exit 1; }
# The parameters, through the exporter (the files themselves also hold the
# config, which names --out).
"$KILNC" export "$a" --format npz -o "$work/whole.npz"
"$KILNC" export "$b" --format npz -o "$work/killed.npz"
cmp "$work/whole.npz" "$work/killed.npz"
echo "identical metrics and parameters ($(basename "$a"))"
