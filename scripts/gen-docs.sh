#!/usr/bin/env bash
# Regenerates the dialect references in docs/dialects/ from the ODS sources.
# With --check, fails if the committed references are out of date.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tblgen=/usr/lib/llvm-22/bin/mlir-tblgen

generate() {
  "$tblgen" -gen-dialect-doc -dialect=graph \
    -I "$root" -I /usr/lib/llvm-22/include \
    "$root/dialects/Graph/IR/GraphOps.td"
}

if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$root/docs/dialects/graph.md" <(generate); then
    echo "docs/dialects/graph.md is out of date: run scripts/gen-docs.sh" >&2
    exit 1
  fi
  exit 0
fi
generate >"$root/docs/dialects/graph.md"
