// RUN: kiln-opt %s --split-input-file --kiln-cpu-outline-parallel-loops | FileCheck %s

// An outermost 1-D scf.forall on buffers becomes a function of the chunk
// index and the values it uses (constants are cloned in), called through
// its launcher with the chunk count.

// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[X:.*]]: memref<256x64xf32>, %[[Y:.*]]: memref<256x64xf32>)
// CHECK: %[[N:.*]] = arith.constant 16 : index
// CHECK: call @kiln_parallel_launch.step.chunk0(%[[N]], %[[X]], %[[Y]]) : (index, memref<256x64xf32>, memref<256x64xf32>) -> ()
// CHECK-NOT: scf.forall
// CHECK: func.func private @step.chunk0(%[[I:.*]]: index, %[[A:.*]]: memref<256x64xf32>, %[[B:.*]]: memref<256x64xf32>)
// CHECK: %[[STEP:.*]] = arith.constant 16 : index
// CHECK: %[[OFFSET:.*]] = arith.muli %[[I]], %[[STEP]]
// CHECK: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK: %[[ROW:.*]] = arith.addi %[[ZERO]], %[[OFFSET]]
// CHECK: %[[C:.*]] = arith.constant 2.0
// CHECK: memref.subview %[[A]][%[[ROW]], 0] [16, 64] [1, 1]
// CHECK: linalg.generic
// CHECK: return
// CHECK: func.func private @kiln_parallel_launch.step.chunk0(index, memref<256x64xf32>, memref<256x64xf32>)
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @step(%x: memref<256x64xf32>, %y: memref<256x64xf32>) {
  %two = arith.constant 2.0 : f32
  scf.forall (%i) = (0) to (256) step (16) {
    %in = memref.subview %x[%i, 0] [16, 64] [1, 1] : memref<256x64xf32> to memref<16x64xf32, strided<[64, 1], offset: ?>>
    %out = memref.subview %y[%i, 0] [16, 64] [1, 1] : memref<256x64xf32> to memref<16x64xf32, strided<[64, 1], offset: ?>>
    linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%in : memref<16x64xf32, strided<[64, 1], offset: ?>>) outs(%out : memref<16x64xf32, strided<[64, 1], offset: ?>>) {
    ^bb0(%a: f32, %b: f32):
      %m = arith.mulf %a, %two : f32
      linalg.yield %m : f32
    }
  }
  return
}

// -----

// Loops the runtime cannot count before running stay: dynamic bounds, more
// than one dimension.

// CHECK-LABEL: func.func @stay
// CHECK: scf.forall (%{{.*}}) in (%{{.*}})
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (4, 4)
// CHECK-NOT: kiln_parallel_launch
func.func @stay(%x: memref<16xf32>, %n: index) {
  %zero = arith.constant 0.0 : f32
  scf.forall (%i) in (%n) {
    memref.store %zero, %x[%i] : memref<16xf32>
  }
  scf.forall (%i, %j) in (4, 4) {
    memref.store %zero, %x[%i] : memref<16xf32>
  }
  return
}
