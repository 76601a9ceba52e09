// RUN: kiln-opt %s --kiln-exp-lower-to-runtime | FileCheck %s

// Synthetic data: the generator's arguments go to the runtime through a
// buffer allocated before the program starts.
// CHECK-LABEL: func.func @main
// CHECK:         %[[ARGS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<5xi64>
// CHECK:         cf.br ^[[BODY:.*]]
// CHECK:       ^[[BODY]]:
// CHECK-COUNT-5: memref.store %{{.*}}, %[[ARGS]][%{{.*}}] : memref<5xi64>
// CHECK:         %[[POINTER:.*]] = llvm.inttoptr
// CHECK:         %[[FIVE:.*]] = arith.constant 5 : i64
// CHECK:         call @kiln_data_synthetic(%{{.*}}, %{{.*}}, %[[POINTER]], %[[FIVE]])
// CHECK:         call @kiln_data_field_f32
exp.experiment @gaussian hparams {} {
  %count = arith.constant 100 : i64
  %classes = arith.constant 4 : i64
  %dim = arith.constant 8 : i64
  %seed = arith.constant 3 : i64
  %data = exp.synthetic "gaussian_classes"(%count, %classes, %dim, %seed, %seed)
  %x = exp.field %data "x" : tensor<100x8xf32>
}
