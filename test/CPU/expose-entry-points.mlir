// RUN: kiln-opt %s --split-input-file --kiln-cpu-expose-entry-points | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-cpu-expose-entry-points --convert-func-to-llvm | FileCheck %s --check-prefix=LLVM

// Public functions with a body get llvm.emit_c_interface, so that lowering to
// LLVM adds the _mlir_ciface_ wrapper the runtime calls; private functions and
// external declarations do not.

// CHECK-LABEL: func.func @entry
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: llvm.emit_c_interface
// CHECK-LABEL: func.func private @external
// CHECK-NOT: llvm.emit_c_interface
// CHECK-LABEL: func.func @second_entry
// CHECK-SAME: attributes {llvm.emit_c_interface}

// LLVM-DAG: llvm.func @entry(
// LLVM-DAG: llvm.func @_mlir_ciface_entry(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// LLVM-DAG: llvm.func @second_entry(
// LLVM-DAG: llvm.func @_mlir_ciface_second_entry(
// LLVM-NOT: _mlir_ciface_helper
// LLVM-NOT: _mlir_ciface_external
func.func @entry(%x: memref<4xf32>, %y: memref<4xf32>) {
  func.call @helper(%x, %y) : (memref<4xf32>, memref<4xf32>) -> ()
  return
}
func.func private @helper(%x: memref<4xf32>, %y: memref<4xf32>) {
  memref.copy %x, %y : memref<4xf32> to memref<4xf32>
  return
}
func.func private @external(f32) -> f32
func.func @second_entry(%x: f32) -> f32 {
  %0 = func.call @external(%x) : (f32) -> f32
  return %0 : f32
}

// -----

// An attribute already there stays as it is; other attributes are kept.

// CHECK-LABEL: func.func @already_exposed
// CHECK-SAME: attributes {kiln.tag = 1 : i64, llvm.emit_c_interface}
func.func @already_exposed() attributes {llvm.emit_c_interface, kiln.tag = 1 : i64} {
  return
}

// -----

// Tensor arguments of a public function are read-only for bufferization
// (bufferization.writable = false): a caller's inputs are never overwritten.
// Arguments of other types get no such attribute.

// CHECK-LABEL: func.func @read_only_inputs
// CHECK-SAME: (%{{.*}}: tensor<4xf32> {bufferization.writable = false}, %{{.*}}: f32, %{{.*}}: tensor<2x3xf32> {bufferization.writable = false})
// CHECK-SAME: -> tensor<4xf32> attributes {llvm.emit_c_interface}
// CHECK-NOT: bufferization.materialize_in_destination
// CHECK: return
func.func @read_only_inputs(%x: tensor<4xf32>, %s: f32, %y: tensor<2x3xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// A result marked `kiln.updates = i` is written into argument #i's buffer
// (bufferization.materialize_in_destination just before the return), which is
// the only writable argument; the result stays, as does its attribute, for
// kiln-cpu-drop-updated-results. Results that update nothing are returned
// as they are; the results need not be in the order of the arguments.

// CHECK-LABEL: func.func @updates
// CHECK-SAME: (%[[P:.*]]: tensor<4xf32> {bufferization.writable = true}, %[[G:.*]]: tensor<4xf32> {bufferization.writable = false}, %[[M:.*]]: tensor<4xf32> {bufferization.writable = true}, %[[LR:.*]]: f32)
// CHECK-SAME: -> (tensor<4xf32> {kiln.updates = 2 : i64}, tensor<4xf32>, tensor<4xf32> {kiln.updates = 0 : i64})
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK: %[[NEWM:.*]] = arith.addf %[[M]], %[[G]]
// CHECK: %[[NEWP:.*]] = arith.subf %[[P]], %[[NEWM]]
// CHECK: %[[NORM:.*]] = arith.mulf %[[NEWM]], %[[NEWM]]
// CHECK-NEXT: %[[INM:.*]] = bufferization.materialize_in_destination %[[NEWM]] in %[[M]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[INP:.*]] = bufferization.materialize_in_destination %[[NEWP]] in %[[P]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: return %[[INM]], %[[NORM]], %[[INP]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
func.func @updates(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %lr: f32)
    -> (tensor<4xf32> {kiln.updates = 2 : i64}, tensor<4xf32>, tensor<4xf32> {kiln.updates = 0 : i64}) {
  %0 = arith.addf %m, %g : tensor<4xf32>
  %1 = arith.subf %p, %0 : tensor<4xf32>
  %2 = arith.mulf %0, %0 : tensor<4xf32>
  return %0, %2, %1 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// An argument returned unchanged as its own update is materialized into
// itself. Private functions are no entry points: their kiln.updates are
// ignored and their arguments get no attribute.

// CHECK-LABEL: func.func @unchanged
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32> {bufferization.writable = true})
// CHECK-NEXT: %[[R:.*]] = bufferization.materialize_in_destination %[[X]] in %[[X]]
// CHECK-NEXT: return %[[R]]
// CHECK-LABEL: func.func private @not_an_entry
// CHECK-SAME: (%[[Y:[^:]*]]: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 0 : i64}) {
// CHECK-NEXT: return %[[Y]]
func.func @unchanged(%x: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 0 : i64}) {
  return %x : tensor<4xf32>
}
func.func private @not_an_entry(%y: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 0 : i64}) {
  return %y : tensor<4xf32>
}
