// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-lower-graph-to-linalg,canonicalize,cse,kiln-lower-fuse-elementwise,canonicalize,cse,kiln-gpu-read-only-inputs,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},buffer-results-to-out-params{hoist-static-allocs modify-public-functions},canonicalize,func.func(kiln-gpu-linalg-to-parallel-loops,kiln-gpu-map-parallel-loops,convert-parallel-loops-to-gpu),gpu-launch-sink-index-computations,gpu-kernel-outlining,canonicalize,cse,gpu.module(expand-strided-metadata,lower-affine,convert-scf-to-cf,convert-gpu-to-nvvm,canonicalize,cse,reconcile-unrealized-casts))' | FileCheck %s

// kiln-gpu-pipeline up to NVVM (the rest serializes each gpu.module to PTX):
// sum(exp(x * y + z), axis 1) is two kernels, a fill of the sums and ONE
// fused kernel where each thread computes exp and accumulates its row's sum
// in a sequential loop (no atomics: deterministic), in a register: the sum
// is loaded before the loop and stored once after it. The host function is
// a straight-line sequence of launches, its result an out-parameter.

// CHECK-LABEL: func.func @sum_exp_fma
// CHECK-SAME: (%[[X:.*]]: memref<16x64xf32>, %[[Y:.*]]: memref<16x64xf32>, %[[Z:.*]]: memref<64xf32>, %[[OUT:.*]]: memref<16xf32>)
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch_func @[[FILL:[a-z_0-9]+]]::@{{.*}} blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) args({{.*}}%[[OUT]] : memref<16xf32>)
// CHECK-NEXT: gpu.launch_func @[[SUM:[a-z_0-9]+]]::@{{.*}} args({{.*}}%[[OUT]] : memref<16xf32>, %[[X]] : memref<16x64xf32>, %[[Y]] : memref<16x64xf32>, %[[Z]] : memref<64xf32>)
// CHECK-NEXT: return

// CHECK: gpu.module @[[FILL]] {
// CHECK: llvm.func @{{.*}} attributes {gpu.kernel, nvvm.kernel}
// CHECK: nvvm.read.ptx.sreg.ctaid.x
// CHECK: nvvm.read.ptx.sreg.tid.x
// CHECK: llvm.store

// CHECK: gpu.module @[[SUM]] {
// CHECK: llvm.func @__nv_expf(f32) -> f32
// CHECK: llvm.func @{{.*}} attributes {gpu.kernel, nvvm.kernel}
// CHECK: %[[INIT:.*]] = llvm.load
// CHECK-NEXT: llvm.br ^[[LOOP:bb[0-9]+]](%{{.*}}, %[[INIT]] : i64, f32)
// CHECK: ^[[LOOP]](%{{.*}}: i64, %[[SUM:.*]]: f32):
// CHECK-NOT: llvm.store
// CHECK: llvm.fmul
// CHECK-NEXT: llvm.fadd
// CHECK-NEXT: llvm.call @__nv_expf
// CHECK-NEXT: %[[NEXT:.*]] = llvm.fadd %{{.*}}, %[[SUM]]
// CHECK-NOT: llvm.store
// CHECK: llvm.br ^[[LOOP]](%{{.*}}, %[[NEXT]] : i64, f32)
// CHECK: llvm.store %[[SUM]]
// CHECK-NOT: atomic
func.func @sum_exp_fma(%x: tensor<16x64xf32>, %y: tensor<16x64xf32>, %z: tensor<64xf32>) -> tensor<16xf32> {
  %0 = graph.mul %x, %y : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>
  %1 = graph.add %0, %z : (tensor<16x64xf32>, tensor<64xf32>) -> tensor<16x64xf32>
  %2 = graph.exp %1 : tensor<16x64xf32>
  %3 = graph.reduce_sum %2 {axes = array<i64: 1>} : (tensor<16x64xf32>) -> tensor<16xf32>
  return %3 : tensor<16xf32>
}
