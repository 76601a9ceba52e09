// RUN: kiln-opt %s --split-input-file --kiln-exp-lower-to-runtime --verify-diagnostics
// RUN: not kiln-opt %s --split-input-file --kiln-exp-lower-to-runtime=experiment=nope 2>&1 | FileCheck %s --check-prefix=NOPE

// What native builds cannot lower yet, and which experiment to build.

// A loop may carry host values only: a tensor would need a buffer per
// iteration.
exp.experiment @carried_tensor hparams {} {
  %train = exp.dataset "mnist" split "train"
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %b = exp.batch %train[%c0] size 4
  %x = exp.field %b "x" : tensor<4x784xf32>
  // expected-error @+1 {{'scf.for' op carries 'tensor<4x784xf32>' from one iteration to the next, which native builds do not support yet}}
  %r = scf.for %i = %c0 to %c1 step %c1 iter_args(%a = %x) -> (tensor<4x784xf32>) : i64 {
    scf.yield %a : tensor<4x784xf32>
  }
}

// -----

exp.experiment @if_tensor hparams {on = true} {
  %on = exp.hparam "on" : i1
  %train = exp.dataset "mnist" split "train"
  %c0 = arith.constant 0 : i64
  %b = exp.batch %train[%c0] size 4
  %x = exp.field %b "x" : tensor<4x784xf32>
  // expected-error @+1 {{'scf.if' op yields 'tensor<4x784xf32>', which native builds do not support yet}}
  %r = scf.if %on -> tensor<4x784xf32> {
    scf.yield %x : tensor<4x784xf32>
  } else {
    scf.yield %x : tensor<4x784xf32>
  }
}

// -----

// Tensors in the host program come from exp ops, into buffers; a graph op
// belongs in a graph function.
exp.experiment @graph_op hparams {} {
  // expected-error @+1 {{'graph.constant' op produces 'tensor<4xf32>', which the host program cannot hold}}
  %t = graph.constant dense<0.0> : tensor<4xf32>
}

// -----

func.func @loss(%w: tensor<8xf32> {kiln.param = "w"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
exp.experiment @no_train_step hparams {} {
  %net = exp.params "Net" names ["w"] types [tensor<8xf32>] inits [{kind = "zeros"}]
  %lr = arith.constant 0.1 : f64
  %opt = exp.optimizer "sgd" %net lr %lr
  // expected-error @+1 {{'exp.step' op has no train step: run --kiln-exp-build-train-steps first}}
  %0 = exp.step @loss() params %net optimizer %opt : () -> tensor<f32>
}

// -----

exp.experiment @field_type hparams {} {
  %train = exp.dataset "mnist" split "train"
  %c0 = arith.constant 0 : i64
  %b = exp.batch %train[%c0] size 4
  // expected-error @+1 {{'exp.field' op reads field 'x' as 'f64'; the runtime provides f32 and i32 fields}}
  %x = exp.field %b "x" : tensor<4x784xf64>
}

// -----

// The experiment's int `seed` is the run's --seed: it cannot be compiled in.
// expected-error @+1 {{'exp.experiment' op hyper-parameter 'seed' is the run's --seed and cannot size tensors}}
exp.experiment @fixed_seed hparams {seed = 0 : i64} fixed ["seed"] {
  %seed = exp.hparam "seed" : i64
}

// -----

// NOPE: error: no experiment 'nope'; the module has a, b
// expected-error @+1 {{the module has several experiments (a, b): choose one}}
module {
  exp.experiment @a hparams {} {
  }
  exp.experiment @b hparams {} {
  }
}

// -----

// NOPE: error: the module has no experiment to build
// expected-error @+1 {{the module has no experiment to build}}
module {
  func.func @f() {
    return
  }
}

// -----

exp.experiment @f64_params hparams {} {
  // expected-error @+1 {{'exp.params' op parameter 'w' is 'tensor<8xf64>'; native builds initialize f32 parameters only}}
  %net = exp.params "Net" names ["w"] types [tensor<8xf64>] inits [{kind = "zeros"}]
}
