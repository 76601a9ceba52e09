// RUN: kiln-opt %s --split-input-file --kiln-exp-build-train-steps | FileCheck %s

// SGD with momentum, Nesterov and weight decay: one velocity per parameter,
// the step number, which SGD does not read, and the base learning rate, an
// argument that SGD uses as is without a schedule.

func.func @Net.loss(%w: tensor<4x3xf32> {kiln.param = "w"}, %b: tensor<3xf32> {kiln.param = "b"},
                    %x: tensor<2x4xf32> {kiln.arg = "x"}, %y: tensor<2xi32> {kiln.arg = "y"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @Net.loss(
// CHECK:       func.func @Net.loss.train_step(
// CHECK-SAME:    %[[W:.*]]: tensor<4x3xf32> {kiln.param = "w"}, %[[B:.*]]: tensor<3xf32> {kiln.param = "b"},
// CHECK-SAME:    %[[VW:.*]]: tensor<4x3xf32>, %[[VB:.*]]: tensor<3xf32>,
// CHECK-SAME:    %[[X:.*]]: tensor<2x4xf32> {kiln.arg = "x"}, %[[Y:.*]]: tensor<2xi32> {kiln.arg = "y"}, %{{[^:]*}}: tensor<f32>, %[[LR:[^:]*]]: tensor<f32>)
// CHECK-SAME:    -> (tensor<f32>, tensor<4x3xf32> {kiln.updates = 0 : i64}, tensor<3xf32> {kiln.updates = 1 : i64},
// CHECK-SAME:        tensor<4x3xf32> {kiln.updates = 2 : i64}, tensor<3xf32> {kiln.updates = 3 : i64})
// CHECK:         %[[G:.*]]:3 = graph.value_and_grad @Net.loss(%[[W]], %[[B]], %[[X]], %[[Y]]) {wrt = array<i64: 0, 1>}
// CHECK-SAME:      -> (tensor<f32>, tensor<4x3xf32>, tensor<3xf32>)
// CHECK-NOT:     graph.constant
// CHECK-NOT:     graph.lr_schedule
// CHECK:         %[[NW:.*]], %[[NVW:.*]] = graph.sgd_update %[[W]], %[[G]]#1, %[[VW]], %[[LR]] {momentum = 9.000000e-01 : f64, nesterov, weight_decay = 5.000000e-04 : f64} : tensor<4x3xf32>, tensor<f32>
// CHECK:         %[[NB:.*]], %[[NVB:.*]] = graph.sgd_update %[[B]], %[[G]]#2, %[[VB]], %[[LR]] {momentum = 9.000000e-01 : f64, nesterov, weight_decay = 5.000000e-04 : f64} : tensor<3xf32>, tensor<f32>
// CHECK:         return %[[G]]#0, %[[NW]], %[[NB]], %[[NVW]], %[[NVB]]
// The learning rate is a constant, not a hyper-parameter: nothing is fixed.
// CHECK:       exp.experiment @sgd hparams {} {
// CHECK:       exp.step @Net.loss(%{{.*}}, %{{.*}}) params %{{.*}} optimizer %{{.*}} train_step @Net.loss.train_step :
exp.experiment @sgd hparams {} {
  %net = exp.params "Net" names ["w", "b"] types [tensor<4x3xf32>, tensor<3xf32>]
      inits [{kind = "glorot"}, {kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %net lr %lr
      {momentum = 0.9 : f64, nesterov = true, weight_decay = 5.0e-4 : f64}
  %x = graph.constant dense<0.0> : tensor<2x4xf32>
  %y = graph.constant dense<0> : tensor<2xi32>
  %loss = exp.step @Net.loss(%x, %y) params %net optimizer %opt
      : (tensor<2x4xf32>, tensor<2xi32>) -> tensor<f32>
}

// -----

// Plain SGD keeps no state: the gradient stands in for the unused velocity.
// A learning rate from a hyper-parameter is the train step's argument, read
// when the program runs: the hyper-parameter is not fixed.

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}, %x: tensor<8xf32>) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @loss.train_step(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<8xf32> {kiln.param = "w"}, %[[X:[^:]*]]: tensor<8xf32>, %{{[^:]*}}: tensor<f32>, %[[LR:[^:]*]]: tensor<f32>)
// CHECK-SAME:    -> (tensor<f32>, tensor<8xf32> {kiln.updates = 0 : i64})
// CHECK:         %[[G:.*]]:2 = graph.value_and_grad @loss(%[[W]], %[[X]]) {wrt = array<i64: 0>}
// CHECK-NEXT:    %[[NW:.*]], %{{.*}} = graph.sgd_update %[[W]], %[[G]]#1, %[[G]]#1, %[[LR]] : tensor<8xf32>, tensor<f32>
// CHECK-NEXT:    return %[[G]]#0, %[[NW]] : tensor<f32>, tensor<8xf32>
// CHECK:       exp.experiment @plain hparams {lr = 5.000000e-02 : f64} {
exp.experiment @plain hparams {lr = 0.05 : f64} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = exp.hparam "lr" : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  %x = graph.constant dense<0.0> : tensor<8xf32>
  %loss = exp.step @loss(%x) params %net optimizer %opt : (tensor<8xf32>) -> tensor<f32>
}

// -----

// Adam with a cosine schedule whose arguments are hyper-parameters: the
// schedule reads the step counted from 0, Adam from 1, and scales the base
// learning rate (schedules are built for a base of 1). Every first moment
// comes before every second moment. The schedule's hyper-parameter `steps`
// becomes fixed; the learning rate `lr` does not.

func.func @Net.loss(%w: tensor<4x3xf32> {kiln.param = "w"}, %b: tensor<3xf32> {kiln.param = "b"},
                    %x: tensor<2x4xf32>) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @Net.loss.train_step(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<4x3xf32> {kiln.param = "w"}, %[[B:[^:]*]]: tensor<3xf32> {kiln.param = "b"},
// CHECK-SAME:    %[[MW:[^:]*]]: tensor<4x3xf32>, %[[MB:[^:]*]]: tensor<3xf32>, %[[VW:[^:]*]]: tensor<4x3xf32>, %[[VB:[^:]*]]: tensor<3xf32>,
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x4xf32>, %[[T:[^:]*]]: tensor<f32>, %[[BASE:[^:]*]]: tensor<f32>)
// CHECK-SAME:    -> (tensor<f32>, tensor<4x3xf32> {kiln.updates = 0 : i64}, tensor<3xf32> {kiln.updates = 1 : i64},
// CHECK-SAME:        tensor<4x3xf32> {kiln.updates = 2 : i64}, tensor<3xf32> {kiln.updates = 3 : i64},
// CHECK-SAME:        tensor<4x3xf32> {kiln.updates = 4 : i64}, tensor<3xf32> {kiln.updates = 5 : i64})
// CHECK:         %[[G:.*]]:3 = graph.value_and_grad @Net.loss(%[[W]], %[[B]], %[[X]]) {wrt = array<i64: 0, 1>}
// CHECK:         %[[ONE:.*]] = graph.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[INDEX:.*]] = graph.sub %[[T]], %[[ONE]]
// CHECK:         %[[FACTOR:.*]] = graph.lr_schedule cosine %[[INDEX]] {base_lr = 1.000000e+00 : f64, decay_steps = 900 : i64, warmup_steps = 100 : i64} : tensor<f32>
// CHECK:         %[[LR:.*]] = graph.mul %[[FACTOR]], %[[BASE]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK:         %[[NW:.*]], %[[NMW:.*]], %[[NVW:.*]] = graph.adam_update %[[W]], %[[G]]#1, %[[MW]], %[[VW]], %[[LR]], %[[T]] {beta2 = 0.9499{{.*}} : f64, epsilon = 9.99{{.*}}E-7 : f64} : tensor<4x3xf32>, tensor<f32>
// CHECK:         %[[NB:.*]], %[[NMB:.*]], %[[NVB:.*]] = graph.adam_update %[[B]], %[[G]]#2, %[[MB]], %[[VB]], %[[LR]], %[[T]] {beta2 = 0.9499{{.*}} : f64, epsilon = 9.99{{.*}}E-7 : f64} : tensor<3xf32>, tensor<f32>
// CHECK:         return %[[G]]#0, %[[NW]], %[[NB]], %[[NMW]], %[[NMB]], %[[NVW]], %[[NVB]]
// CHECK:       exp.experiment @adam hparams {lr = 3.000000e-04 : f64, steps = 1000 : i64} fixed ["steps"] {
exp.experiment @adam hparams {lr = 3.0e-4 : f64, steps = 1000 : i64} {
  %net = exp.params "Net" names ["w", "b"] types [tensor<4x3xf32>, tensor<3xf32>]
      inits [{kind = "glorot"}, {kind = "zeros"}]
  %lr = exp.hparam "lr" : f64
  %steps = exp.hparam "steps" : i64
  %warmup = arith.constant 100 : i64
  %opt = exp.optimizer "adam" %net lr %lr schedule "cosine"(%steps, %warmup : i64, i64)
      {beta2 = 0.95 : f64, eps = 1.0e-6 : f64}
  %x = graph.constant dense<0.0> : tensor<2x4xf32>
  %loss = exp.step @Net.loss(%x) params %net optimizer %opt
      : (tensor<2x4xf32>) -> tensor<f32>
}

// -----

// AdamW decouples its weight decay, 0.01 unless set. A step_decay schedule
// is graph.lr_schedule's `step`; parameters of another element type than
// f32 get the learning rate and step in theirs.

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}, %s: tensor<f64> {kiln.param = "s"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @loss.train_step(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<8xf32> {kiln.param = "w"}, %[[S:[^:]*]]: tensor<f64> {kiln.param = "s"},
// CHECK-SAME:    %[[MW:[^:]*]]: tensor<8xf32>, %[[MS:[^:]*]]: tensor<f64>, %[[VW:[^:]*]]: tensor<8xf32>, %[[VS:[^:]*]]: tensor<f64>, %[[T:[^:]*]]: tensor<f32>, %[[BASE:[^:]*]]: tensor<f32>)
// CHECK:         %[[G:.*]]:3 = graph.value_and_grad @loss(%[[W]], %[[S]]) {wrt = array<i64: 0, 1>}
// CHECK:         %[[INDEX:.*]] = graph.sub %[[T]]
// CHECK:         %[[FACTOR:.*]] = graph.lr_schedule step %[[INDEX]] {base_lr = 1.000000e+00 : f64, gamma = 5.000000e-01 : f64, step_size = 30 : i64} : tensor<f32>
// CHECK:         %[[LR:.*]] = graph.mul %[[FACTOR]], %[[BASE]]
// CHECK:         graph.adam_update %[[W]], %[[G]]#1, %[[MW]], %[[VW]], %[[LR]], %[[T]] {decoupled, weight_decay = 1.000000e-02 : f64} : tensor<8xf32>, tensor<f32>
// CHECK:         %[[LR64:.*]] = graph.cast %[[LR]] : tensor<f32> to tensor<f64>
// CHECK:         %[[T64:.*]] = graph.cast %[[T]] : tensor<f32> to tensor<f64>
// CHECK:         graph.adam_update %[[S]], %[[G]]#2, %[[MS]], %[[VS]], %[[LR64]], %[[T64]] {decoupled, weight_decay = 1.000000e-02 : f64} : tensor<f64>, tensor<f64>
// CHECK:       exp.experiment @adamw hparams {} {
exp.experiment @adamw hparams {} {
  %net = exp.params "Net" names ["w", "s"] types [tensor<8xf32>, tensor<f64>]
      inits [{kind = "zeros"}, {kind = "ones"}]
  %lr = arith.constant 1.0e-3 : f64
  %every = arith.constant 30 : i64
  %factor = arith.constant 0.5 : f64
  %opt = exp.optimizer "adamw" %net lr %lr schedule "step_decay"(%every, %factor : i64, f64)
  %loss = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

// One train step per (loss, optimizer) pair, however many steps use it.

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @loss(
// CHECK:       func.func @loss.train_step_0(
// CHECK:         graph.adam_update
// CHECK:       func.func @loss.train_step(
// CHECK:         graph.sgd_update
// CHECK-NOT:   func.func
// CHECK:       exp.step @loss() params %{{.*}} optimizer %[[SGD:[^ ]*]] train_step @loss.train_step :
// CHECK:       exp.step @loss() params %{{.*}} optimizer %[[SGD]] train_step @loss.train_step :
// CHECK:       exp.step @loss() params %{{.*}} optimizer %{{.*}} train_step @loss.train_step_0 :
exp.experiment @pairs hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %sgd = exp.optimizer "sgd" %net lr %lr
  %adam = exp.optimizer "adam" %net lr %lr
  %0 = exp.step @loss() params %net optimizer %sgd : () -> tensor<f32>
  %1 = exp.step @loss() params %net optimizer %sgd : () -> tensor<f32>
  %2 = exp.step @loss() params %net optimizer %adam : () -> tensor<f32>
}

// -----

// Schedule arguments from hyper-parameters join those already fixed, once
// each and sorted by name; the learning rate's hyper-parameter stays free.

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: exp.experiment @fixed
// CHECK-SAME:    hparams {batch = 8 : i64, every = 30 : i64, factor = 5.000000e-01 : f64, lr = 1.000000e-01 : f64, steps = 100 : i64}
// CHECK-SAME:    fixed ["batch", "every", "factor", "steps"] {
exp.experiment @fixed hparams {batch = 8 : i64, every = 30 : i64, factor = 0.5 : f64,
                               lr = 0.1 : f64, steps = 100 : i64}
    fixed ["batch"] {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = exp.hparam "lr" : f64
  %every = exp.hparam "every" : i64
  %factor = exp.hparam "factor" : f64
  %steps = exp.hparam "steps" : i64
  %sgd = exp.optimizer "sgd" %net lr %lr schedule "step_decay"(%every, %factor : i64, f64)
  %adam = exp.optimizer "adam" %net lr %lr schedule "cosine"(%steps, %every : i64, i64)
  %0 = exp.step @loss() params %net optimizer %sgd : () -> tensor<f32>
  %1 = exp.step @loss() params %net optimizer %adam : () -> tensor<f32>
}

// -----

// A learning rate computed on the host is fine: the train step takes it as
// an argument, whatever produces it.

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @loss.train_step(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<8xf32> {kiln.param = "w"}, %[[M:[^:]*]]: tensor<8xf32>, %[[V:[^:]*]]: tensor<8xf32>, %[[T:[^:]*]]: tensor<f32>, %[[LR:[^:]*]]: tensor<f32>)
// CHECK:         graph.adam_update %[[W]], %{{.*}}, %[[M]], %[[V]], %[[LR]], %[[T]]
// CHECK:       exp.experiment @computed_lr hparams {lr = 1.000000e-01 : f64} {
exp.experiment @computed_lr hparams {lr = 0.1 : f64} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %base = exp.hparam "lr" : f64
  %lr = arith.addf %base, %base : f64
  %opt = exp.optimizer "adam" %net lr %lr
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}
