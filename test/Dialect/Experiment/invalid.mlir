// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// Every experiment op rejects malformed IR with a message that names the rule.

// expected-error @+1 {{'exp.experiment' op hyper-parameter 'lr' must default to an i64, an f64, a bool or a string}}
exp.experiment @bad_default hparams {lr = 1.0 : f32} {
}

// -----

// expected-error @+1 {{'exp.experiment' op the default "c" of 'policy' is not one of its choices}}
exp.experiment @bad_choice hparams {policy = "c"} choices {policy = ["a", "b"]} {
}

// -----

// expected-error @+1 {{'exp.experiment' op the default 2.000000e+00 of 'lr' is not in [0.000000e+00, 1.000000e+00]}}
exp.experiment @bad_range hparams {lr = 2.0 : f64} ranges {lr = [0.0, 1.0]} {
}

// -----

// expected-error @+1 {{'exp.experiment' op the range of 'lr' is empty: [1.000000e+00, 0.000000e+00]}}
exp.experiment @empty_range hparams {lr = 0.5 : f64} ranges {lr = [1.0, 0.0]} {
}

// -----

// expected-error @+1 {{'exp.experiment' op a range for 'policy', which is not an int or float hyper-parameter}}
exp.experiment @string_range hparams {policy = "a"} ranges {policy = [0.0, 1.0]} {
}

// -----

// expected-error @+1 {{'exp.experiment' op the range of 'steps' must be an array of two floats}}
exp.experiment @int_bounds hparams {steps = 3 : i64} ranges {steps = [1, 5]} {
}

// -----

// expected-error @+1 {{'exp.experiment' op fixed hyper-parameter 'batch' is not a hyper-parameter}}
exp.experiment @bad_fixed hparams {lr = 1.0e-3 : f64} fixed ["lr", "batch"] {
}

// -----

// expected-error @+1 {{'exp.experiment' op fixed hyper-parameter 'lr' is listed twice}}
exp.experiment @fixed_twice hparams {lr = 1.0e-3 : f64} fixed ["lr", "lr"] {
}

// -----

// expected-error @+1 {{'exp.experiment' op attribute 'fixed' failed to satisfy constraint: string array attribute}}
exp.experiment @fixed_not_strings hparams {batch = 64 : i64} fixed [1] {
}

// -----

exp.experiment @hparam_type hparams {lr = 1.0 : f64} {
  // expected-error @+1 {{'exp.hparam' op hyper-parameter 'lr' is 'f64', not 'i64'}}
  %0 = exp.hparam "lr" : i64
}

// -----

exp.experiment @hparam_missing hparams {} {
  // expected-error @+1 {{'exp.hparam' op experiment @hparam_missing has no hyper-parameter 'lr'}}
  %0 = exp.hparam "lr" : f64
}

// -----

func.func @outside() {
  // expected-error @+1 {{'exp.str_constant' op must be nested in an 'exp.experiment'}}
  %0 = exp.str_constant "a"
  return
}

// -----

exp.experiment @str_eq hparams {} {
  %0 = arith.constant 0 : i64
  // expected-error @+1 {{'exp.str_eq' op operand #0 must be a host string, but got 'i64'}}
  %1 = "exp.str_eq"(%0, %0) : (i64, i64) -> i1
}

// -----

exp.experiment @dataset hparams {} {
  // expected-error @+1 {{'exp.dataset' op unknown dataset 'cifar'; expected 'fashion_mnist' or 'mnist'}}
  %0 = exp.dataset "cifar" split "train"
}

// -----

exp.experiment @split hparams {} {
  // expected-error @+1 {{'exp.dataset' op the split is 'train' or 'test', not 'val'}}
  %0 = exp.dataset "mnist" split "val"
}

// -----

exp.experiment @synthetic hparams {} {
  %0 = arith.constant 0 : i64
  // expected-error @+1 {{'exp.synthetic' op 'induction_tokens' takes 4 integer arguments (count, length, vocab, seed), found 1}}
  %1 = exp.synthetic "induction_tokens"(%0)
}

// -----

exp.experiment @permutation hparams {} {
  %0 = arith.constant 0 : i64
  // expected-error @+1 {{'exp.permutation' op a permutation is a 1-D tensor of static size}}
  %1 = exp.permutation seed %0 : tensor<4x4xi32>
}

// -----

exp.experiment @shuffle hparams {} {
  %0 = exp.dataset "mnist" split "test"
  %1 = arith.constant 0.0 : f64
  // expected-error @+1 {{'exp.shuffle' op operand #1 must be 64-bit signless integer, but got 'f64'}}
  %2 = "exp.shuffle"(%0, %1) : (!exp.dataset, f64) -> !exp.dataset
}

// -----

exp.experiment @take hparams {} {
  %0 = exp.dataset "mnist" split "test"
  %1 = arith.constant 0 : i64
  // expected-error @+1 {{'exp.take' op result #0 must be rows of named tensor fields, held by the runtime, but got 'i64'}}
  %2 = "exp.take"(%0, %1) : (!exp.dataset, i64) -> i64
}

// -----

exp.experiment @permute hparams {} {
  %0 = exp.dataset "mnist" split "test"
  %1 = arith.constant 0 : i64
  %2 = exp.permutation seed %1 : tensor<784xi32>
  %3 = tensor.expand_shape %2 [[0, 1]] output_shape [1, 784] : tensor<784xi32> into tensor<1x784xi32>
  // expected-error @+1 {{'exp.permute' op the permutation must be a 1-D tensor of static size}}
  %4 = exp.permute %0 by %3 : tensor<1x784xi32>
}

// -----

exp.experiment @num_batches hparams {} {
  %0 = exp.dataset "mnist" split "test"
  // expected-error @+1 {{'exp.num_batches' op the batch size must be positive}}
  %1 = exp.num_batches %0 size 0
}

// -----

exp.experiment @batch hparams {} {
  %0 = exp.dataset "mnist" split "test"
  %1 = arith.constant 0 : i64
  // expected-error @+1 {{'exp.batch' op the batch size must be positive}}
  %2 = exp.batch %0[%1] size -1
}

// -----

exp.experiment @field hparams {} {
  %0 = exp.dataset "mnist" split "test"
  // expected-error @+1 {{'exp.field' op a field has a static shape with the rows first}}
  %1 = exp.field %0 "y" : tensor<i32>
}

// -----

exp.experiment @params_lengths hparams {} {
  // expected-error @+1 {{'exp.params' op needs as many types and initializers as names}}
  %0 = exp.params "Net" names ["w", "b"] types [tensor<4xf32>] inits [{kind = "zeros"}]
}

// -----

exp.experiment @params_init hparams {} {
  // expected-error @+1 {{'exp.params' op initializer 'normal' of 'w' needs a float 'mean'}}
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "normal", std = 1.0 : f64}]
}

// -----

exp.experiment @params_type hparams {} {
  // expected-error @+1 {{'exp.params' op parameter 'w' must be a float tensor of static shape, found 'tensor<4xi32>'}}
  %0 = exp.params "Net" names ["w"] types [tensor<4xi32>] inits [{kind = "zeros"}]
}

// -----

exp.experiment @optimizer_hyper hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  // expected-error @+1 {{'exp.optimizer' op 'sgd' has no hyper-parameter 'beta1'; it has 'momentum', 'nesterov' or 'weight_decay'}}
  %2 = exp.optimizer "sgd" %0 lr %1 {beta1 = 0.9 : f64}
}

// -----

exp.experiment @optimizer_nesterov_bool hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  // expected-error @+1 {{'exp.optimizer' op 'nesterov' must be a bool}}
  %2 = exp.optimizer "sgd" %0 lr %1 {momentum = 0.9 : f64, nesterov = 1.0 : f64}
}

// -----

exp.experiment @optimizer_nesterov_momentum hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  // expected-error @+1 {{'exp.optimizer' op 'nesterov' needs a positive 'momentum'}}
  %2 = exp.optimizer "sgd" %0 lr %1 {nesterov = true}
}

// -----

exp.experiment @optimizer_momentum hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  // expected-error @+1 {{'exp.optimizer' op 'momentum' must be non-negative, found -9.000000e-01}}
  %2 = exp.optimizer "sgd" %0 lr %1 {momentum = -0.9 : f64}
}

// -----

exp.experiment @optimizer_beta hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  // expected-error @+1 {{'exp.optimizer' op 'beta2' must lie in [0, 1), found 1.000000e+00}}
  %2 = exp.optimizer "adamw" %0 lr %1 {beta2 = 1.0 : f64}
}

// -----

exp.experiment @optimizer_eps hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  // expected-error @+1 {{'exp.optimizer' op 'eps' must be positive, found 0.000000e+00}}
  %2 = exp.optimizer "adam" %0 lr %1 {eps = 0.0 : f64}
}

// -----

exp.experiment @optimizer_schedule hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  // expected-error @+1 {{'exp.optimizer' op schedule 'cosine' takes arguments of types ('i64', 'i64')}}
  %2 = exp.optimizer "adam" %0 lr %1 schedule "cosine"(%1 : f64)
}

// -----

func.func @loss(%w: tensor<4xf32> {kiln.param = "w"}, %x: tensor<4xf32>) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @step_args hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  %2 = exp.optimizer "sgd" %0 lr %1
  %3 = graph.constant dense<0.0> : tensor<8xf32>
  // expected-error @+1 {{'exp.step' op argument types do not match 'loss' of type '(tensor<4xf32>, tensor<4xf32>) -> tensor<f32>'}}
  %4 = exp.step @loss(%3) params %0 optimizer %2 : (tensor<8xf32>) -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<4xf32> {kiln.param = "w"}, %x: tensor<4xf32>) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @step_missing_train_step hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  %2 = exp.optimizer "sgd" %0 lr %1
  %3 = graph.constant dense<0.0> : tensor<4xf32>
  // expected-error @+1 {{'exp.step' op train step 'nowhere' is not a function in this module}}
  %4 = exp.step @loss(%3) params %0 optimizer %2 train_step @nowhere : (tensor<4xf32>) -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<4xf32> {kiln.param = "w"}, %x: tensor<4xf32>) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
// The step number and the learning rate are missing.
func.func @loss.train_step(%w: tensor<4xf32>, %x: tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>) {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0, %w : tensor<f32>, tensor<4xf32>
}
exp.experiment @step_train_step_type hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  %2 = exp.optimizer "sgd" %0 lr %1
  %3 = graph.constant dense<0.0> : tensor<4xf32>
  // expected-error @+1 {{'exp.step' op train step 'loss.train_step' of type '(tensor<4xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)' does not take (parameters, state, arguments, step, learning rate) and return (loss, parameters, state)}}
  %4 = exp.step @loss(%3) params %0 optimizer %2 train_step @loss.train_step : (tensor<4xf32>) -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<4xf32> {kiln.param = "w"}, %x: tensor<4xf32>) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
// The signature from before the learning rate became an argument: it ends at
// the step number.
func.func @loss.train_step(%w: tensor<4xf32>, %x: tensor<4xf32>, %t: tensor<f32>) -> (tensor<f32>, tensor<4xf32>) {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0, %w : tensor<f32>, tensor<4xf32>
}
exp.experiment @step_train_step_no_lr hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  %2 = exp.optimizer "sgd" %0 lr %1
  %3 = graph.constant dense<0.0> : tensor<4xf32>
  // expected-error @+1 {{'exp.step' op train step 'loss.train_step' of type '(tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<f32>, tensor<4xf32>)' does not take (parameters, state, arguments, step, learning rate) and return (loss, parameters, state)}}
  %4 = exp.step @loss(%3) params %0 optimizer %2 train_step @loss.train_step : (tensor<4xf32>) -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<4xf32> {kiln.param = "w"}, %x: tensor<4xf32>) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
// The learning rate is an f64 scalar, not the f32 the step number is.
func.func @loss.train_step(%w: tensor<4xf32>, %x: tensor<4xf32>, %t: tensor<f32>, %lr: tensor<f64>) -> (tensor<f32>, tensor<4xf32>) {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0, %w : tensor<f32>, tensor<4xf32>
}
exp.experiment @step_train_step_lr_type hparams {} {
  %0 = exp.params "Net" names ["w"] types [tensor<4xf32>] inits [{kind = "zeros"}]
  %1 = arith.constant 0.1 : f64
  %2 = exp.optimizer "sgd" %0 lr %1
  %3 = graph.constant dense<0.0> : tensor<4xf32>
  // expected-error @+1 {{'exp.step' op train step 'loss.train_step' of type '(tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f64>) -> (tensor<f32>, tensor<4xf32>)' does not take (parameters, state, arguments, step, learning rate) and return (loss, parameters, state)}}
  %4 = exp.step @loss(%3) params %0 optimizer %2 train_step @loss.train_step : (tensor<4xf32>) -> tensor<f32>
}

// -----

func.func @forward(%w: tensor<4xf32> {kiln.param = "w"}, %x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
exp.experiment @call_graph_params hparams {} {
  %0 = graph.constant dense<0.0> : tensor<4xf32>
  // expected-error @+1 {{'exp.call_graph' op needs the parameters of 'forward', which has 1}}
  %1 = exp.call_graph @forward(%0) : (tensor<4xf32>) -> tensor<4xf32>
}

// -----

exp.experiment @call_graph_missing hparams {} {
  // expected-error @+1 {{'exp.call_graph' op 'nowhere' is not a function in this module}}
  %0 = exp.call_graph @nowhere() : () -> tensor<f32>
}

// -----

exp.experiment @log_holes hparams {} {
  %0 = arith.constant 1.0 : f64
  // expected-error @+1 {{'exp.log' op the name 'acc/task{j}' has 1 holes but 0 values fill them}}
  exp.log "acc/task{j}"(%0 : f64)
}

// -----

exp.experiment @log_value hparams {} {
  %0 = graph.constant dense<0.0> : tensor<4xf32>
  // expected-error @+1 {{'exp.log' op a metric is an i64, an f64, an i1 or a scalar tensor, found 'tensor<4xf32>'}}
  exp.log "x"(%0 : tensor<4xf32>)
}

// -----

exp.experiment @checkpoint hparams {} {
  // expected-error @+1 {{'exp.checkpoint' op a checkpoint label must not be empty}}
  exp.checkpoint ""
}

// -----

exp.experiment @replay_create hparams {} {
  %0 = arith.constant 10 : i64
  // expected-error @+1 {{'exp.replay.create' op unknown sampling policy 'lifo'; expected 'uniform', 'recency' or 'recency_exponential'}}
  %1 = exp.replay.create capacity %0 fields {x = tensor<4xf32>} insert "append" sample "lifo"
}

// -----

exp.experiment @replay_fields hparams {} {
  %0 = arith.constant 10 : i64
  // expected-error @+1 {{'exp.replay.create' op field 'x' must be the static tensor type of one row}}
  %1 = exp.replay.create capacity %0 fields {x = 1 : i64} insert "append" sample "uniform"
}

// -----

exp.experiment @replay_add hparams {} {
  %0 = arith.constant 10 : i64
  %1 = exp.replay.create capacity %0 fields {x = tensor<4xf32>} insert "append" sample "uniform"
  %2 = exp.dataset "mnist" split "test"
  %3 = arith.constant 1.0 : f64
  // expected-error @+1 {{'exp.replay.add' op operand #2 must be 64-bit signless integer, but got 'f64'}}
  "exp.replay.add"(%1, %2, %3) : (!exp.replay, !exp.dataset, f64) -> ()
}

// -----

exp.experiment @replay_sample hparams {} {
  %0 = arith.constant 10 : i64
  %1 = exp.replay.create capacity %0 fields {x = tensor<4xf32>} insert "append" sample "uniform"
  // expected-error @+1 {{'exp.replay.sample' op operand #2 must be 64-bit float, but got 'i64'}}
  %2 = "exp.replay.sample"(%1, %0, %0) : (!exp.replay, i64, i64) -> !exp.dataset
}

// -----

exp.experiment @gaussian_arity hparams {} {
  %c = arith.constant 4 : i64
  // expected-error @+1 {{'exp.synthetic' op 'gaussian_classes' takes 5 integer arguments (count, classes, dim, task_seed, seed), found 4}}
  %d = exp.synthetic "gaussian_classes"(%c, %c, %c, %c)
}

// -----

exp.experiment @regression_reals hparams {} {
  %c = arith.constant 4 : i64
  // expected-error @+1 {{'exp.synthetic' op 'icl_regression' takes 1 real arguments (noise), found 0}}
  %d = exp.synthetic "icl_regression"(%c, %c, %c, %c, %c, %c)
}

// -----

exp.experiment @gaussian_reals hparams {} {
  %c = arith.constant 4 : i64
  %r = arith.constant 0.5 : f64
  // expected-error @+1 {{'exp.synthetic' op 'gaussian_classes' takes 0 real arguments, found 1}}
  %d = exp.synthetic "gaussian_classes"(%c, %c, %c, %c, %c) reals(%r)
}

// -----

exp.experiment @unknown_generator hparams {} {
  %c = arith.constant 4 : i64
  // expected-error @+1 {{'exp.synthetic' op unknown generator 'spirals'; expected 'gaussian_classes', 'induction_tokens', 'icl_classification' or 'icl_regression'}}
  %d = exp.synthetic "spirals"(%c)
}
