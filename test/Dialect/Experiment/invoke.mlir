// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// exp.invoke round-trips against callees on tensors and on buffers. On
// tensors, the buffers are the arguments, then one out-buffer per result
// that does not update an argument in place (`kiln.updates`).

func.func @train_step(%w: tensor<4x3xf32> {kiln.param = "w"}, %x: tensor<2x4xf32>,
                      %t: tensor<f32>, %lr: tensor<f32>)
    -> (tensor<f32>, tensor<4x3xf32> {kiln.updates = 0 : i64}) {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0, %w : tensor<f32>, tensor<4x3xf32>
}

// A callee on tensors whose results are all out-buffers, one of them i32.
func.func @forward(%x: tensor<2x4xf32>, %y: tensor<2xi32>) -> (tensor<2x3xf32>, tensor<2xi32>) {
  %0 = graph.constant dense<0.0> : tensor<2x3xf32>
  return %0, %y : tensor<2x3xf32>, tensor<2xi32>
}

// A callee already bufferized, results as out-parameters.
func.func @bufferized(%x: memref<2x4xf32>, %out: memref<f32>) {
  return
}

// CHECK-LABEL: func.func @host(
// CHECK-SAME:    %[[W:[^:]*]]: memref<4x3xf32>, %[[X:[^:]*]]: memref<2x4xf32>, %[[Y:[^:]*]]: memref<2xi32>,
// CHECK-SAME:    %[[T:[^:]*]]: memref<f32>, %[[LR:[^:]*]]: memref<f32>, %[[L:[^:]*]]: memref<f32>, %[[O:[^:]*]]: memref<2x3xf32>, %[[OY:[^:]*]]: memref<2xi32>)
// CHECK:         exp.invoke @train_step(%[[W]], %[[X]], %[[T]], %[[LR]], %[[L]]) : memref<4x3xf32>, memref<2x4xf32>, memref<f32>, memref<f32>, memref<f32>
// CHECK-NEXT:    exp.invoke @forward(%[[X]], %[[Y]], %[[O]], %[[OY]]) : memref<2x4xf32>, memref<2xi32>, memref<2x3xf32>, memref<2xi32>
// CHECK-NEXT:    exp.invoke @bufferized(%[[X]], %[[L]]) : memref<2x4xf32>, memref<f32>
func.func @host(%w: memref<4x3xf32>, %x: memref<2x4xf32>, %y: memref<2xi32>,
                %t: memref<f32>, %lr: memref<f32>, %loss: memref<f32>,
                %out: memref<2x3xf32>, %outy: memref<2xi32>) {
  exp.invoke @train_step(%w, %x, %t, %lr, %loss)
      : memref<4x3xf32>, memref<2x4xf32>, memref<f32>, memref<f32>, memref<f32>
  exp.invoke @forward(%x, %y, %out, %outy)
      : memref<2x4xf32>, memref<2xi32>, memref<2x3xf32>, memref<2xi32>
  exp.invoke @bufferized(%x, %loss) : memref<2x4xf32>, memref<f32>
  return
}
