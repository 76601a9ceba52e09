// REQUIRES: ptxas
// RUN: rm -rf %t && kiln-gpu-compile %s -o %t | FileCheck %s
// RUN: for f in %t/*.sm_90.ptx; do %ptxas -arch=sm_90 "$f" -o /dev/null || exit 1; done
// RUN: for f in %t/*.sm_80.ptx; do %ptxas -arch=sm_80 "$f" -o /dev/null || exit 1; done
// RUN: ls %t | count 20

// kiln-gpu-pipeline end to end: every kernel's PTX, for sm_90 and sm_80,
// assembles with CUDA's ptxas (without a toolkit the test is unsupported).
// The launch list reads a column reduction (parallel loop moved outward),
// a full reduction (16 partial sums, then one thread adding them) and
// softmax over rows of 10.

// CHECK-LABEL: func @reductions
// CHECK-NEXT: buffer 0: input 0, 4096 bytes
// CHECK-NEXT: buffer 1: result 0, 256 bytes
// CHECK-NEXT: buffer 2: result 1, 4 bytes
// CHECK-NEXT: buffer 3: temporary 0, 64 bytes
// CHECK-NEXT: launch @{{.*}} grid [1, 1, 1] block [64, 1, 1]
// CHECK:      buffer 1 sizes [64] strides [1] offset 0: writes
// CHECK-NEXT: launch @{{.*}} grid [1, 1, 1] block [64, 1, 1]
// CHECK-DAG:  buffer 0 sizes [16, 64] strides [64, 1] offset 0: reads
// CHECK-DAG:  buffer 1 sizes [64] strides [1] offset 0: reads writes
// CHECK:      launch @{{.*}} grid [1, 1, 1] block [1, 1, 1]
// CHECK-NEXT: buffer 2 sizes [] strides [] offset 0: writes
// CHECK-NEXT: launch @{{.*}} grid [1, 1, 1] block [16, 1, 1]
// CHECK-DAG:  buffer 0 sizes [16, 64] strides [64, 1] offset 0: reads
// CHECK-DAG:  buffer 3 sizes [16] strides [1] offset 0: writes
// CHECK:      launch @{{.*}} grid [1, 1, 1] block [1, 1, 1]
// CHECK-DAG:  buffer 2 sizes [] strides [] offset 0: reads writes
// CHECK-DAG:  buffer 3 sizes [16] strides [1] offset 0: reads
// CHECK-LABEL: func @softmax
// CHECK: launch @{{.*}} grid [1, 3, 1] block [10, 25, 1]
func.func @reductions(%x: tensor<16x64xf32>) -> (tensor<64xf32>, tensor<f32>) {
  %0 = graph.reduce_sum %x {axes = array<i64: 0>} : (tensor<16x64xf32>) -> tensor<64xf32>
  %1 = graph.reduce_sum %x {axes = array<i64: 0, 1>} : (tensor<16x64xf32>) -> tensor<f32>
  return %0, %1 : tensor<64xf32>, tensor<f32>
}

func.func @softmax(%x: tensor<64x10xf32>) -> tensor<64x10xf32> {
  %0 = graph.softmax %x : tensor<64x10xf32>
  return %0 : tensor<64x10xf32>
}
