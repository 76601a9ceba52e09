// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// Every experiment op round-trips through its assembly format.

func.func @Net.loss(%w: tensor<784x10xf32> {kiln.param = "w"},
                    %x: tensor<64x784xf32>, %y: tensor<64xi32>) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @Net.loss.train_step(%w: tensor<784x10xf32> {kiln.param = "w"},
    %v: tensor<784x10xf32>, %x: tensor<64x784xf32>, %y: tensor<64xi32>,
    %t: tensor<f32>, %lr: tensor<f32>)
    -> (tensor<f32>, tensor<784x10xf32> {kiln.updates = 0 : i64},
                         tensor<784x10xf32> {kiln.updates = 1 : i64}) {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0, %w, %v : tensor<f32>, tensor<784x10xf32>, tensor<784x10xf32>
}
func.func @Net.forward(%w: tensor<784x10xf32> {kiln.param = "w"},
                       %x: tensor<64x784xf32>) -> tensor<64x10xf32> {
  %0 = graph.matmul %x, %w : (tensor<64x784xf32>, tensor<784x10xf32>) -> tensor<64x10xf32>
  return %0 : tensor<64x10xf32>
}
func.func @accuracy(%l: tensor<64x10xf32>, %y: tensor<64xi32>) -> tensor<f32> {
  %0 = graph.accuracy %l, %y : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: exp.experiment @run
// CHECK-SAME: hparams {batch = 64 : i64, lr = 1.000000e-03 : f64, on = true, policy = "a"}
// CHECK-SAME: choices {policy = ["a", "b"]}
// CHECK-SAME: ranges {lr = [0.000000e+00, 0x7FF0000000000000 : f64]}
// CHECK-SAME: fixed ["batch", "on"] {
exp.experiment @run hparams {batch = 64 : i64, lr = 1.0e-3 : f64, on = true,
                             policy = "a"} choices {policy = ["a", "b"]}
    ranges {lr = [0.0, 0x7FF0000000000000 : f64]} fixed ["batch", "on"] {
  // CHECK: %[[LR:.*]] = exp.hparam "lr" : f64
  // CHECK: %[[B:.*]] = exp.hparam "batch" : i64
  // CHECK: exp.hparam "on" : i1
  // CHECK: %[[P:.*]] = exp.hparam "policy" : !exp.str
  %lr = exp.hparam "lr" : f64
  %batch = exp.hparam "batch" : i64
  %on = exp.hparam "on" : i1
  %policy = exp.hparam "policy" : !exp.str
  // CHECK: %[[A:.*]] = exp.str_constant "a"
  // CHECK: exp.str_eq %[[P]], %[[A]]
  %a = exp.str_constant "a"
  %same = exp.str_eq %policy, %a
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %c32 = arith.constant 32 : i64
  // CHECK: %[[TRAIN:.*]] = exp.dataset "fashion_mnist" split "train"{{$}}
  // CHECK: exp.dataset "mnist" split "test" path "/data/mnist/"
  // CHECK: exp.synthetic "induction_tokens"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
  %train = exp.dataset "fashion_mnist" split "train"
  %test = exp.dataset "mnist" split "test" path "/data/mnist/"
  %tokens = exp.synthetic "induction_tokens"(%c32, %c32, %c32, %c0)
  // CHECK: exp.synthetic "icl_regression"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) reals(%{{.*}}){{$}}
  // CHECK: exp.synthetic "icl_classification"({{.*}}) reals(%{{.*}}, %{{.*}}){{$}}
  %noise = arith.constant 0.1 : f64
  %prompts = exp.synthetic "icl_regression"(%c32, %c32, %c32, %c0, %c0, %c1) reals(%noise)
  %contexts = exp.synthetic "icl_classification"(%c32, %c32, %c32, %c32, %c32, %c0, %c0, %c0, %c1) reals(%noise, %noise)
  // CHECK: %[[PERM:.*]] = exp.permutation seed %{{.*}} : tensor<784xi32>
  // CHECK: exp.shuffle %[[TRAIN]] seed %{{.*}}
  // CHECK: exp.take %{{.*}} count %{{.*}}
  // CHECK: exp.permute %{{.*}} by %[[PERM]] : tensor<784xi32>
  // CHECK: exp.mix %{{.*}}, %{{.*}}
  %perm = exp.permutation seed %c1 : tensor<784xi32>
  %shuffled = exp.shuffle %train seed %c1
  %few = exp.take %shuffled count %c32
  %permuted = exp.permute %few by %perm : tensor<784xi32>
  %mixed = exp.mix %few, %permuted
  // CHECK: exp.params "Net" names ["w"] types [tensor<784x10xf32>] inits [{kind = "glorot"}]
  // CHECK: exp.params "Emb" names ["e", "u"] types [tensor<4xf32>, tensor<4xf32>] inits [{kind = "normal", mean = 0.000000e+00 : f64, std = 2.000000e-02 : f64}, {high = 1.000000e+00 : f64, kind = "uniform", low = -1.000000e+00 : f64}]
  %net = exp.params "Net" names ["w"] types [tensor<784x10xf32>]
      inits [{kind = "glorot"}]
  %emb = exp.params "Emb" names ["e", "u"] types [tensor<4xf32>, tensor<4xf32>]
      inits [{kind = "normal", std = 0.02 : f64, mean = 0.0 : f64},
             {kind = "uniform", low = -1.0 : f64, high = 1.0 : f64}]
  // CHECK: exp.optimizer "sgd" %{{.*}} lr %[[LR]] {momentum = 9.000000e-01 : f64}
  // CHECK: exp.optimizer "adamw" %{{.*}} lr %[[LR]] schedule "cosine"(%{{.*}}, %{{.*}} : i64, i64) {weight_decay = 1.000000e-02 : f64}
  // CHECK: exp.optimizer "adam" %{{.*}} lr %[[LR]] schedule "linear"(%{{.*}}, %{{.*}} : f64, i64)
  // CHECK: exp.optimizer "sgd" %{{.*}} lr %[[LR]] {momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 1.000000e-04 : f64}
  // CHECK: exp.optimizer "adam" %{{.*}} lr %[[LR]] {weight_decay = 1.000000e-04 : f64}
  %sgd = exp.optimizer "sgd" %net lr %lr {momentum = 0.9 : f64}
  %adamw = exp.optimizer "adamw" %net lr %lr schedule "cosine"(%c32, %c0 : i64, i64)
      {weight_decay = 0.01 : f64}
  %adam = exp.optimizer "adam" %emb lr %lr schedule "linear"(%lr, %c32 : f64, i64)
  %nesterov = exp.optimizer "sgd" %net lr %lr
      {momentum = 0.9 : f64, nesterov = true, weight_decay = 1.0e-4 : f64}
  %decay = exp.optimizer "adam" %net lr %lr {weight_decay = 1.0e-4 : f64}
  // CHECK: %[[N:.*]] = exp.num_batches %[[TRAIN]] size 64
  // CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} : i64
  // CHECK: %[[BATCH:.*]] = exp.batch %[[TRAIN]][%[[I]]] size 64
  // CHECK: %[[X:.*]] = exp.field %[[BATCH]] "x" : tensor<64x784xf32>
  // CHECK: exp.step @Net.loss(%[[X]], %{{.*}}) params %{{.*}} optimizer %{{.*}} : (tensor<64x784xf32>, tensor<64xi32>) -> tensor<f32>
  // CHECK: exp.step @Net.loss(%[[X]], %{{.*}}) params %{{.*}} optimizer %{{.*}} train_step @Net.loss.train_step : (tensor<64x784xf32>, tensor<64xi32>) -> tensor<f32>
  %n = exp.num_batches %train size 64
  scf.for %i = %c0 to %n step %c1 : i64 {
    %b = exp.batch %train[%i] size 64
    %x = exp.field %b "x" : tensor<64x784xf32>
    %y = exp.field %b "y" : tensor<64xi32>
    %loss = exp.step @Net.loss(%x, %y) params %net optimizer %sgd
        : (tensor<64x784xf32>, tensor<64xi32>) -> tensor<f32>
    %stepped = exp.step @Net.loss(%x, %y) params %net optimizer %nesterov
        train_step @Net.loss.train_step
        : (tensor<64x784xf32>, tensor<64xi32>) -> tensor<f32>
    // CHECK: %[[L:.*]] = exp.call_graph @Net.forward(%[[X]]) params %{{.*}} : (tensor<64x784xf32>) -> tensor<64x10xf32>
    // CHECK: %[[ACC:.*]] = exp.call_graph @accuracy(%[[L]], %{{.*}}) : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
    %logits = exp.call_graph @Net.forward(%x) params %net
        : (tensor<64x784xf32>) -> tensor<64x10xf32>
    %acc = exp.call_graph @accuracy(%logits, %y)
        : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
    // CHECK: exp.log "acc/task{j}"(%[[ACC]] : tensor<f32>) holes(%[[I]] : i64) tags ["task", "policy"](%[[I]], %[[P]] : i64, !exp.str)
    // CHECK: exp.log "loss"(%{{.*}} : tensor<f32>){{$}}
    // CHECK: exp.log "lr"(%[[LR]] : f64) tags ["epoch"](%[[I]] : i64)
    exp.log "acc/task{j}"(%acc : tensor<f32>) holes(%i : i64)
        tags ["task", "policy"](%i, %policy : i64, !exp.str)
    exp.log "loss"(%loss : tensor<f32>)
    exp.log "lr"(%lr : f64) tags ["epoch"](%i : i64)
  }
  // CHECK: exp.checkpoint "after"
  // CHECK: exp.checkpoint{{$}}
  exp.checkpoint "after"
  exp.checkpoint
  // CHECK: %[[M:.*]] = exp.replay.create capacity %{{.*}} fields {x = tensor<784xf32>, y = tensor<i32>} insert "append" sample "recency"
  // CHECK: exp.replay.add %[[M]], %{{.*}} task %{{.*}}
  // CHECK: exp.replay.sample %[[M]] count %{{.*}} alpha %{{.*}}
  %memory = exp.replay.create capacity %c32 fields {x = tensor<784xf32>, y = tensor<i32>}
      insert "append" sample "recency"
  exp.replay.add %memory, %permuted task %c1
  %alpha = arith.constant 1.0 : f64
  %r = exp.replay.sample %memory count %c32 alpha %alpha
}

// Without choices or fixed hyper-parameters, neither keyword is printed.
// CHECK-LABEL: exp.experiment @plain
// CHECK-SAME: hparams {lr = 1.000000e-01 : f64} {
exp.experiment @plain hparams {lr = 0.1 : f64} {
}
