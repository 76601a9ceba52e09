#!/usr/bin/env bash
# Usage: KILNC=kilnc resume-each.sh PROGRAM WORKDIR [PROGRAM FLAGS...]
# Runs PROGRAM once into WORKDIR/whole keeping every checkpoint, then
# resumes a copy of the run from each checkpoint but the newest (the newer
# ones removed) and checks that it ends with the same metrics.jsonl
# (ignoring "time") and final parameters.
set -euo pipefail
program=$1 work=$2
shift 2
rm -rf "$work"
mkdir -p "$work"
"$program" "$@" --keep-checkpoints 1000 --out "$work/whole" 2>"$work/whole.log"
strip() { sed -E 's/,?"time":[^,}]*//' "$1"; }
checkpoints=$(ls "$work/whole/checkpoints" | sort -V)
newest=$(tail -n 1 <<<"$checkpoints")
"$KILNC" export "$work/whole/checkpoints/$newest" -o "$work/whole.safetensors"
for from in $(head -n -1 <<<"$checkpoints"); do
  copy=$work/from-${from%.kiln}
  cp -r "$work/whole" "$copy"
  for later in $(sed -n "/^$from\$/,\$p" <<<"$checkpoints" | tail -n +2); do
    rm "$copy/checkpoints/$later"
  done
  "$program" "$@" --keep-checkpoints 1000 --out "$copy" --resume 2>"$copy.log"
  diff <(strip "$work/whole/metrics.jsonl") <(strip "$copy/metrics.jsonl")
  "$KILNC" export "$copy/checkpoints/$newest" -o "$copy.safetensors"
  cmp "$work/whole.safetensors" "$copy.safetensors"
  echo "resumed from $from: identical"
done
