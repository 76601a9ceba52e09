// RUN: kiln-opt %s --kiln-exp-build-train-steps | FileCheck %s

// A loss with dropout trains through a private copy whose dropout ops read a
// key [seed, step]: the train step's last argument. The loss itself (used
// by evaluations) keeps key-less dropout, the identity.

func.func @Net.loss(%w: tensor<8xf32> {kiln.param = "w"}, %x: tensor<8xf32>) -> tensor<f32> {
  %d = graph.dropout %x {rate = 0.5 : f64, site = 0 : i64} : tensor<8xf32>
  %p = graph.mul %d, %w : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s = graph.reduce_sum %p {axes = array<i64: 0>} : (tensor<8xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// CHECK-LABEL: func.func @Net.loss(
// CHECK:         graph.dropout %{{[^,]*}} {rate = 5.000000e-01 : f64, site = 0 : i64} : tensor<8xf32>
// CHECK-LABEL: func.func @Net.loss.train_step(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<8xf32> {kiln.param = "w"}, %[[DX:[^:]*]]: tensor<8xf32>, %{{[^:]*}}: tensor<f32>, %{{[^:]*}}: tensor<f32>, %[[KEY:[^:]*]]: tensor<2xi64> {kiln.dropout_key})
// CHECK:         graph.value_and_grad @Net.loss.dropout(%[[W]], %[[DX]], %[[KEY]]) {wrt = array<i64: 0>}
// CHECK-LABEL: func.func private @Net.loss.dropout(
// CHECK-SAME:    %{{.*}}: tensor<8xf32> {kiln.param = "w"}, %[[X:[^:]*]]: tensor<8xf32>, %[[K:[^:]*]]: tensor<2xi64>)
// CHECK:         graph.dropout %[[X]], %[[K]] {rate = 5.000000e-01 : f64, site = 0 : i64} : tensor<8xf32>, tensor<2xi64>
exp.experiment @e hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  %x = graph.constant dense<1.0> : tensor<8xf32>
  %loss = exp.step @Net.loss(%x) params %net optimizer %opt
      : (tensor<8xf32>) -> tensor<f32>
}
