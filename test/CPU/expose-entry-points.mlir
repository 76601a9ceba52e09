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
