// RUN: kiln-opt %s --split-input-file --kiln-exp-build-train-steps --verify-diagnostics

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @linear hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %end = arith.constant 0.0 : f64
  %steps = arith.constant 100 : i64
  // expected-error @+1 {{'exp.optimizer' op schedule 'linear' has no graph.lr_schedule counterpart; use 'cosine' or 'step_decay'}}
  %opt = exp.optimizer "sgd" %net lr %lr schedule "linear"(%end, %steps : f64, i64)
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

// The loss is checked by exp.step's verifier before the pass runs.
func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<8xf32> {
  return %w : tensor<8xf32>
}
exp.experiment @vector_loss hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  // expected-error @+1 {{'exp.step' op the loss must be a scalar float tensor, found 'tensor<8xf32>'}}
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<8xf32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
// The learning rate may be computed (it is an argument of the train step),
// but the schedule's arguments are compiled into it.
exp.experiment @computed_every hparams {lr = 0.1 : f64, every = 10 : i64} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %base = exp.hparam "lr" : f64
  %lr = arith.addf %base, %base : f64
  %every = exp.hparam "every" : i64
  %twice = arith.addi %every, %every : i64
  %factor = arith.constant 0.5 : f64
  // expected-error @+1 {{'exp.optimizer' op argument #0 of the schedule must be an arith.constant or a hyper-parameter to build a train step}}
  %opt = exp.optimizer "sgd" %net lr %lr schedule "step_decay"(%twice, %factor : i64, f64)
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @computed_steps hparams {steps = 10 : i64} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %steps = exp.hparam "steps" : i64
  %warmup = arith.muli %steps, %steps : i64
  // expected-error @+1 {{'exp.optimizer' op argument #1 of the schedule must be an arith.constant or a hyper-parameter to build a train step}}
  %opt = exp.optimizer "adam" %net lr %lr schedule "cosine"(%steps, %warmup : i64, i64)
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @cosine_warmup hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %steps = arith.constant 100 : i64
  // expected-error @+1 {{'exp.optimizer' op a cosine schedule needs 0 <= warmup < steps, found warmup 100 and steps 100}}
  %opt = exp.optimizer "adamw" %net lr %lr schedule "cosine"(%steps, %steps : i64, i64)
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @step_decay_every hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %every = arith.constant 0 : i64
  // expected-error @+1 {{'exp.optimizer' op a step_decay schedule needs every > 0, found 0}}
  %opt = exp.optimizer "sgd" %net lr %lr schedule "step_decay"(%every, %lr : i64, f64)
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
// A train step built before the learning rate became its argument ends at
// the step number: exp.step's verifier rejects it before the pass runs.
func.func @loss.train_step(%w: tensor<8xf32> {kiln.param = "w"}, %t: tensor<f32>)
    -> (tensor<f32>, tensor<8xf32> {kiln.updates = 0 : i64}) {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0, %w : tensor<f32>, tensor<8xf32>
}
exp.experiment @old_train_step hparams {lr = 0.1 : f64} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = exp.hparam "lr" : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  // expected-error @+1 {{'exp.step' op train step 'loss.train_step' of type '(tensor<8xf32>, tensor<f32>) -> (tensor<f32>, tensor<8xf32>)' does not take (parameters, state, arguments, step, learning rate) and return (loss, parameters, state)}}
  %0 = exp.step @loss() params %net optimizer %opt train_step @loss.train_step : () -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @other_params hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %other = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %other lr %lr
  // expected-error @+1 {{'exp.step' op updates other parameters than its optimizer's}}
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "v"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @param_names hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  // expected-error @+1 {{'exp.step' op parameter #0 of 'loss' is 'v' of type 'tensor<8xf32>' but 'Net' has 'w' of type 'tensor<8xf32>'}}
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @param_count hparams {} {
  %net = exp.params "Net" names ["w", "b"] types [tensor<8xf32>, tensor<8xf32>]
      inits [{kind = "zeros"}, {kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  // expected-error @+1 {{'exp.step' op 'loss' takes 1 parameters but 'Net' has 2}}
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @carried_optimizer hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %r = scf.for %i = %c0 to %c1 step %c1 iter_args(%o = %opt) -> (!exp.optimizer) : i64 {
    // expected-error @+1 {{'exp.step' op needs an optimizer from an 'exp.optimizer' to build a train step}}
    %0 = exp.step @loss() params %net optimizer %o : () -> tensor<f32>
    scf.yield %o : !exp.optimizer
  }
}
