// RUN: kiln-opt %s --kiln-cpu-pipeline | FileCheck %s

// End to end on the CPU: f32 attention calls the runtime's fused kernel
// (through its C interface), and the large elementwise op after it runs as
// chunks on the pool.

// CHECK-DAG: llvm.func @_mlir_ciface_kiln_attention_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64, f32)
// CHECK-LABEL: llvm.func @main(
// CHECK: llvm.call @kiln_attention_f32(
// CHECK: llvm.call @kiln_parallel_launch.main.chunk0(
// CHECK-LABEL: llvm.func @main.chunk0(
// CHECK-LABEL: llvm.func internal @kiln_parallel_launch.main.chunk0(
// CHECK: llvm.call @kiln_parallel_for(
// CHECK: llvm.func @kiln_parallel_for(i64, !llvm.ptr, !llvm.ptr)
func.func @main(%q: tensor<8x64x32xf32>, %m: tensor<64x64xf32>) -> tensor<8x64x32xf32> {
  %y = graph.attention %q, %q, %q, %m {heads = 2 : i64, scale = 0.25 : f64} : (tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<64x64xf32>) -> tensor<8x64x32xf32>
  %e = graph.exp %y : tensor<8x64x32xf32>
  return %e : tensor<8x64x32xf32>
}
