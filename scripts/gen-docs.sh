#!/usr/bin/env bash
# Regenerates the dialect references in docs/dialects/ from the ODS sources.
# With --check, fails if the committed references are out of date.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tblgen=/usr/lib/llvm-22/bin/mlir-tblgen

# generate DIALECT TD_FILE
generate() {
  "$tblgen" -gen-dialect-doc -dialect="$1" \
    -I "$root" -I /usr/lib/llvm-22/include "$root/$2"
}

docs=(
  "graph dialects/Graph/IR/GraphOps.td docs/dialects/graph.md"
  "exp dialects/Experiment/IR/ExperimentOps.td docs/dialects/experiment.md"
)

status=0
for entry in "${docs[@]}"; do
  read -r dialect td md <<<"$entry"
  if [ "${1:-}" = "--check" ]; then
    if ! diff -u "$root/$md" <(generate "$dialect" "$td"); then
      echo "$md is out of date: run scripts/gen-docs.sh" >&2
      status=1
    fi
  else
    generate "$dialect" "$td" >"$root/$md"
  fi
done
exit $status
