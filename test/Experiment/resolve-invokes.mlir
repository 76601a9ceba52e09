// RUN: kiln-opt %s --kiln-exp-resolve-invokes | FileCheck %s --implicit-check-not=exp.invoke

// Once the callees take buffers (results as out-parameters, in-place updates
// dropped), each exp.invoke becomes a func.call with the same operands.

func.func @train_step(%w: memref<4x3xf32>, %x: memref<2x4xf32>, %t: memref<f32>,
                      %lr: memref<f32>, %loss: memref<f32>) {
  return
}
func.func private @external(memref<2x4xf32>, memref<2x3xf32>)

// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[W:[^:]*]]: memref<4x3xf32>, %[[X:[^:]*]]: memref<2x4xf32>, %[[T:[^:]*]]: memref<f32>, %[[LR:[^:]*]]: memref<f32>, %[[L:[^:]*]]: memref<f32>, %[[O:[^:]*]]: memref<2x3xf32>)
// CHECK:         scf.for
// CHECK-NEXT:      call @train_step(%[[W]], %[[X]], %[[T]], %[[LR]], %[[L]]) : (memref<4x3xf32>, memref<2x4xf32>, memref<f32>, memref<f32>, memref<f32>) -> ()
// CHECK-NEXT:    }
// CHECK-NEXT:    call @external(%[[X]], %[[O]]) : (memref<2x4xf32>, memref<2x3xf32>) -> ()
// CHECK-NEXT:    return
func.func @main(%w: memref<4x3xf32>, %x: memref<2x4xf32>, %t: memref<f32>,
                %lr: memref<f32>, %loss: memref<f32>, %out: memref<2x3xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c2 step %c1 {
    exp.invoke @train_step(%w, %x, %t, %lr, %loss)
        : memref<4x3xf32>, memref<2x4xf32>, memref<f32>, memref<f32>, memref<f32>
  }
  exp.invoke @external(%x, %out) : memref<2x4xf32>, memref<2x3xf32>
  return
}
