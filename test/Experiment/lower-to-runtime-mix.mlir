// RUN: kiln-opt %s --kiln-exp-lower-to-runtime | FileCheck %s

// exp.mix: both row counts are read at run time and the runtime copies the
// rows into a view of the op's call site.
// CHECK-LABEL: func.func @main
// CHECK:         %[[A:.*]] = call @kiln_data_take
// CHECK:         %[[B:.*]] = call @kiln_replay_sample
// CHECK:         %[[ROWS_A:.*]] = call @kiln_data_rows(%[[A]]) : (!llvm.ptr) -> i64
// CHECK:         %[[ROWS_B:.*]] = call @kiln_data_rows(%[[B]]) : (!llvm.ptr) -> i64
// CHECK:         call @kiln_data_mix(%{{.*}}, %{{.*}}, %[[A]], %[[ROWS_A]], %[[B]], %[[ROWS_B]])
exp.experiment @mixed hparams {} {
  %train = exp.dataset "fashion_mnist" split "train"
  %c8 = arith.constant 8 : i64
  %alpha = arith.constant 0.0 : f64
  %memory = exp.replay.create capacity %c8 fields {x = tensor<784xf32>, y = tensor<i32>} insert "append" sample "uniform"
  %a = exp.take %train count %c8
  %b = exp.replay.sample %memory count %c8 alpha %alpha
  %both = exp.mix %a, %b
  %x = exp.field %both "x" : tensor<16x784xf32>
}
