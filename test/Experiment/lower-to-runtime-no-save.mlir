// RUN: kiln-opt %s --split-input-file --kiln-exp-build-train-steps --kiln-exp-lower-to-runtime | FileCheck %s

// A value computed from the trained parameters before a loop that trains,
// and used after it in the same iteration, would be recomputed from the
// state not yet restored by a run resumed inside that loop: the enclosing
// loop (id 0) holds no checkpoint; the batch loop (id 1) has none of its own
// to announce.
// CHECK-LABEL: func.func @main
// CHECK:         call @kiln_run_loop_carries(%{{.*}}, %[[OUTER:.*]]) : (!llvm.ptr, i64) -> ()
// CHECK-NEXT:    %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-NEXT:    call @kiln_run_loop_enter(%{{.*}}, %[[ZERO]], %{{.*}})
// CHECK-NOT:     kiln_run_loop_carries
// CHECK:         return
func.func @loss(%w: tensor<4x2xf32> {kiln.param = "w"}, %x: tensor<8x4xf32> {kiln.arg = "x"}) -> tensor<f32> {
  %y = graph.matmul %x, %w : (tensor<8x4xf32>, tensor<4x2xf32>) -> tensor<8x2xf32>
  %l = graph.reduce_sum %y {axes = array<i64: 0, 1>} : (tensor<8x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
exp.experiment @before_and_after hparams {} {
  %data = exp.dataset "mnist" split "train"
  %net = exp.params "Net" names ["w"] types [tensor<4x2xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %c3 = arith.constant 3 : i64
  scf.for %epoch = %c0 to %c3 step %c1 : i64 {
    %b0 = exp.batch %data[%c0] size 8
    %x0 = exp.field %b0 "x" : tensor<8x4xf32>
    %before = exp.call_graph @loss(%x0) params %net : (tensor<8x4xf32>) -> tensor<f32>
    scf.for %i = %c0 to %c3 step %c1 : i64 {
      %b = exp.batch %data[%i] size 8
      %x = exp.field %b "x" : tensor<8x4xf32>
      %l = exp.step @loss(%x) params %net optimizer %opt : (tensor<8x4xf32>) -> tensor<f32>
    }
    exp.log "before"(%before : tensor<f32>)
  }
}

// -----

// Evaluated after training, as the flagships do: saves stay possible.
// CHECK-LABEL: func.func @main
// CHECK-NOT:     kiln_run_loop_carries
// CHECK:         return
func.func @loss(%w: tensor<4x2xf32> {kiln.param = "w"}, %x: tensor<8x4xf32> {kiln.arg = "x"}) -> tensor<f32> {
  %y = graph.matmul %x, %w : (tensor<8x4xf32>, tensor<4x2xf32>) -> tensor<8x2xf32>
  %l = graph.reduce_sum %y {axes = array<i64: 0, 1>} : (tensor<8x2xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
exp.experiment @after hparams {} {
  %data = exp.dataset "mnist" split "train"
  %net = exp.params "Net" names ["w"] types [tensor<4x2xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %c3 = arith.constant 3 : i64
  scf.for %epoch = %c0 to %c3 step %c1 : i64 {
    scf.for %i = %c0 to %c3 step %c1 : i64 {
      %b = exp.batch %data[%i] size 8
      %x = exp.field %b "x" : tensor<8x4xf32>
      %l = exp.step @loss(%x) params %net optimizer %opt : (tensor<8x4xf32>) -> tensor<f32>
    }
    %b0 = exp.batch %data[%c0] size 8
    %x0 = exp.field %b0 "x" : tensor<8x4xf32>
    %after = exp.call_graph @loss(%x0) params %net : (tensor<8x4xf32>) -> tensor<f32>
    exp.log "after"(%after : tensor<f32>)
  }
}
