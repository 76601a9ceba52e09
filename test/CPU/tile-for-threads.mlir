// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-cpu-tile-for-threads))' | FileCheck %s

// A large op's outermost parallel loop becomes an scf.forall of at most 16
// equal chunks (the largest divisor of its extent).

#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.forall (%[[I:.*]]) = (0) to (256) step (16) shared_outs
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<16x64xf32>, tensor<16x64xf32>) outs(%{{.*}} : tensor<16x64xf32>)
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[I]], 0] [16, 64] [1, 1]
func.func @elementwise(%x: tensor<256x64xf32>, %y: tensor<256x64xf32>) -> tensor<256x64xf32> {
  %init = tensor.empty() : tensor<256x64xf32>
  %z = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<256x64xf32>, tensor<256x64xf32>) outs(%init : tensor<256x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<256x64xf32>
  return %z : tensor<256x64xf32>
}

// -----

// A reduction over the first loop is cut along the first parallel one; an
// extent of 300 gives 15 chunks of 20.

#in = affine_map<(d0, d1) -> (d1, d0)>
#out = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @column_sums
// CHECK: scf.forall (%{{.*}}) = (0) to (300) step (20)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<64x20xf32>) outs(%{{.*}} : tensor<20xf32>)
func.func @column_sums(%x: tensor<64x300xf32>, %init: tensor<300xf32>) -> tensor<300xf32> {
  %z = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<64x300xf32>) outs(%init : tensor<300xf32>) {
  ^bb0(%a: f32, %c: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<300xf32>
  return %z : tensor<300xf32>
}

// -----

// Left whole: small ops (a chunk would not pay for its dispatch), products
// going to BLAS, fills, and prime extents above 16 (no equal chunks).

#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @whole
// CHECK-NOT: scf.forall
func.func @whole(%small: tensor<8x64xf32>, %a: tensor<256x64xf32>, %b: tensor<64x64xf32>, %prime: tensor<257x64xf32>) -> (tensor<8x64xf32>, tensor<256x64xf32>, tensor<257x64xf32>) {
  %e = tensor.empty() : tensor<8x64xf32>
  %s = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%small : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%x: f32, %y: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<8x64xf32>
  %zero = arith.constant 0.0 : f32
  %c = tensor.empty() : tensor<256x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%c : tensor<256x64xf32>) -> tensor<256x64xf32>
  %p = linalg.matmul ins(%a, %b : tensor<256x64xf32>, tensor<64x64xf32>) outs(%f : tensor<256x64xf32>) -> tensor<256x64xf32>
  %e2 = tensor.empty() : tensor<257x64xf32>
  %q = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%prime : tensor<257x64xf32>) outs(%e2 : tensor<257x64xf32>) {
  ^bb0(%x: f32, %y: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<257x64xf32>
  return %s, %p, %q : tensor<8x64xf32>, tensor<256x64xf32>, tensor<257x64xf32>
}
