#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh runs on a GPU machine that cannot build
# Kiln (the lent machines have no LLVM/MLIR 22 and no network) into
# BUILD/gpu-bundle/ (about 50 MB, within the 64 MiB a device run carries):
#   programs.tar.xz  bin/: programs built with
#           `kilnc build --cuda --target-cpu x86-64-v3` (their PTX
#           compresses 15-fold)
#           (examples/fashion_mlp, examples/induction_heads, bench/mlp_steps,
#           test/Build/Inputs/dropout, and icl_regression_20: 20 steps of
#           examples/icl_linear_regression, for its f64 baselines)
#           and kiln-gpu-cases (runtime only)
#   cases/  every kiln-gpu-tests case: kernel bundle, inputs, CPU results
#   lib.tar.xz  the shared libraries such a machine lacks (OpenBLAS, ...)
#   data/fashion-mnist/  the data set
# Every program's PTX is assembled here with ptxas first.
#
# Usage: scripts/gpu-bundle.sh [BUILD]   (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out=$build/gpu-bundle
ptxas=/usr/local/cuda/bin/ptxas

ninja -C "$build" -j2 kilnc kiln-gpu-tests kiln-gpu-cases >/dev/null
rm -rf "$out"
mkdir -p "$out/bin" "$out/cases" "$out/data/fashion-mnist"
KILN_GPU_CASES=$out/cases "$build/test/gpu/kiln-gpu-tests" \
  --gtest_filter='*Compiles*' >"$out/cases.log" 2>&1 ||
  { cat "$out/cases.log"; echo "gpu-bundle: writing the cases failed" >&2; exit 1; }
rm "$out/cases.log"

ptx=$(mktemp -d)
trap 'rm -rf "$ptx"' EXIT
for source in examples/fashion_mlp.kiln examples/induction_heads.kiln \
              bench/mlp_steps.kiln test/Build/Inputs/dropout.kiln; do
  name=$(basename "$source" .kiln)
  "$build/bin/kilnc" build "$root/$source" --cuda --target-cpu x86-64-v3 \
    --save-ptx "$ptx/$name" -o "$out/bin/$name"
  if [ -x "$ptxas" ]; then
    for f in "$ptx/$name"/*.ptx; do
      chip=${f%.ptx}
      "$ptxas" -arch="${chip##*.}" "$f" -o /dev/null ||
        { echo "gpu-bundle: ptxas rejects $f" >&2; exit 1; }
    done
  fi
done
"$build/bin/kilnc" build "$root/examples/icl_linear_regression.kiln" --cuda \
  --target-cpu x86-64-v3 --set steps=20 --set warmup=2 \
  -o "$out/bin/icl_regression_20"
cp "$build/test/gpu/kiln-gpu-cases" "$out/bin/"

libs=$(mktemp -d)
for lib in libopenblas.so.0 libgfortran.so.5 libquadmath.so.0; do
  cp -L "$(ldd "$out/bin/fashion_mlp" | awk -v l="$lib" '$1 == l { print $3 }')" \
    "$libs/"
done
tar -C "$libs" -cf - . | xz -T0 -6 >"$out/lib.tar.xz"
tar -C "$out" -cf - bin | xz -T0 -6 >"$out/programs.tar.xz"
rm -rf "$out/bin"
rm -rf "$libs"
cp /usr/share/datasets/fashion-mnist/*.gz "$out/data/fashion-mnist/"
du -sh "$out"
