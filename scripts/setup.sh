#!/usr/bin/env bash
# Installs everything Kiln needs from Debian's packages. Idempotent: when every
# package is already present it returns in well under a second.
set -euo pipefail

packages=(
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22 lld
  libclang-rt-22-dev
  flatbuffers-compiler libflatbuffers-dev
  dataset-fashion-mnist
  cmake ninja-build g++ libgtest-dev zlib1g-dev libzstd-dev libopenblas-dev
  # Reference readers for interop tests (numpy reads checkpoint exports).
  python3 python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
