// RUN: kiln-opt %s --split-input-file --kiln-exp-lower-to-runtime | FileCheck %s

// Synthetic data: the generator's arguments go to the runtime through a
// buffer allocated before the program starts.
// CHECK-LABEL: func.func @main
// CHECK:         %[[ARGS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<5xi64>
// CHECK:         cf.br ^[[BODY:.*]]
// CHECK:       ^[[BODY]]:
// CHECK-COUNT-5: memref.store %{{.*}}, %[[ARGS]][%{{.*}}] : memref<5xi64>
// CHECK:         %[[POINTER:.*]] = llvm.inttoptr
// CHECK:         %[[FIVE:.*]] = arith.constant 5 : i64
// CHECK:         %[[NONE:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:         call @kiln_data_synthetic(%{{.*}}, %{{.*}}, %[[POINTER]], %[[FIVE]], %[[NONE]], %[[ZERO]])
// CHECK:         call @kiln_data_field_f32
exp.experiment @gaussian hparams {} {
  %count = arith.constant 100 : i64
  %classes = arith.constant 4 : i64
  %dim = arith.constant 8 : i64
  %seed = arith.constant 3 : i64
  %data = exp.synthetic "gaussian_classes"(%count, %classes, %dim, %seed, %seed)
  %x = exp.field %data "x" : tensor<100x8xf32>
}

// -----

// Real arguments go through a buffer of f64 of their own.
// CHECK-LABEL: func.func @main
// CHECK-DAG:     %[[INTS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<6xi64>
// CHECK-DAG:     %[[REALS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1xf64>
// CHECK:       ^{{.*}}:
// CHECK-COUNT-6: memref.store %{{.*}}, %[[INTS]][%{{.*}}] : memref<6xi64>
// CHECK:         memref.store %{{.*}}, %[[REALS]][%{{.*}}] : memref<1xf64>
// CHECK:         call @kiln_data_synthetic(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, !llvm.ptr, i64) -> !llvm.ptr
// CHECK:         call @kiln_data_field_f32
exp.experiment @regression hparams {} {
  %count = arith.constant 64 : i64
  %dim = arith.constant 8 : i64
  %points = arith.constant 20 : i64
  %tasks = arith.constant 0 : i64
  %seed = arith.constant 3 : i64
  %noise = arith.constant 0.25 : f64
  %data = exp.synthetic "icl_regression"(%count, %dim, %points, %tasks, %seed, %seed) reals(%noise)
  %x = exp.field %data "x" : tensor<64x20x8xf32>
}
