// RUN: kiln-opt %s --kiln-exp-build-train-steps --kiln-exp-lower-to-runtime=source-hash=0123abcd | FileCheck %s --implicit-check-not=exp.experiment
// RUN: kiln-opt %s --kiln-exp-build-train-steps --kiln-exp-lower-to-runtime | grep memref.alloc | count 10
// RUN: kiln-opt %s --kiln-exp-build-train-steps --kiln-exp-lower-to-runtime | FileCheck %s --check-prefix=IDENTITY

// The experiment becomes a C `main` calling the runtime: hyper-parameters
// declared (`batch` fixed), --help and usage errors returning early, every
// buffer allocated once before the body, loops bracketed by progress calls,
// data through kiln_data_*, graph functions through exp.invoke on buffers.

func.func @Net.loss(%w: tensor<784x10xf32> {kiln.param = "w"},
                    %x: tensor<8x784xf32> {kiln.arg = "x"},
                    %y: tensor<8xi32> {kiln.arg = "y"}) -> tensor<f32> {
  %0 = graph.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @Net.forward(%w: tensor<784x10xf32> {kiln.param = "w"},
                       %x: tensor<8x784xf32>) -> tensor<8x10xf32> {
  %0 = graph.matmul %x, %w : (tensor<8x784xf32>, tensor<784x10xf32>) -> tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// CHECK-DAG: llvm.mlir.global private constant @[[S_NAME:kiln_str_[0-9]+]]("small\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_HASH:kiln_str_[0-9]+]]("0123abcd\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_EPOCHS:kiln_str_[0-9]+]]("epochs\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_LR:kiln_str_[0-9]+]]("lr\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_POLICY:kiln_str_[0-9]+]]("policy\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_A:kiln_str_[0-9]+]]("a\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_B:kiln_str_[0-9]+]]("b\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_BATCH:kiln_str_[0-9]+]]("batch\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_STEP:kiln_str_[0-9]+]]("optimizer0.step\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_LOSS:kiln_str_[0-9]+]]("train/loss\00")
// CHECK-DAG: llvm.mlir.global private constant @[[S_LRLOG:kiln_str_[0-9]+]]("epoch{e}/lr\00")

// The graph functions stay on tensors; the train step is built next to the
// loss.
// CHECK-LABEL: func.func @Net.loss.train_step(
// CHECK-LABEL: func.func @Net.forward(

// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[ARGC:[^:]*]]: i32, %[[ARGV:[^:]*]]: !llvm.ptr) -> i32 attributes {kiln.host} {
// CHECK:         %[[NAME:.*]] = llvm.mlir.addressof @[[S_NAME]]
// CHECK:         %[[HASH:.*]] = llvm.mlir.addressof @[[S_HASH]]
// CHECK:         %[[CTX:.*]] = call @kiln_run_create(%[[ARGC]], %[[ARGV]], %[[NAME]], %[[HASH]]) : (i32, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> !llvm.ptr

// Hyper-parameters in the order the program reads them, then the unread
// `batch`; only `batch` is fixed. `seed` is the run's --seed.
// CHECK:         %[[FREE0:.*]] = arith.constant 0 : i32
// CHECK:         %[[N_EPOCHS:.*]] = llvm.mlir.addressof @[[S_EPOCHS]]
// CHECK:         %[[D_EPOCHS:.*]] = arith.constant 2 : i64
// CHECK:         call @kiln_run_declare_int(%[[CTX]], %[[N_EPOCHS]], %[[D_EPOCHS]], %[[FREE0]]) : (!llvm.ptr, !llvm.ptr, i64, i32) -> i64
// CHECK:         %[[FREE1:.*]] = arith.constant 0 : i32
// CHECK:         %[[N_LR:.*]] = llvm.mlir.addressof @[[S_LR]]
// CHECK:         %[[D_LR:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         %[[I_LR:.*]] = call @kiln_run_declare_float(%[[CTX]], %[[N_LR]], %[[D_LR]], %[[FREE1]]) : (!llvm.ptr, !llvm.ptr, f64, i32) -> i64
// CHECK-DAG:     %[[LOW:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[HIGH:.*]] = arith.constant 1.000000e+00 : f64
// CHECK:         call @kiln_run_declare_range(%[[CTX]], %[[I_LR]], %[[LOW]], %[[HIGH]]) : (!llvm.ptr, i64, f64, f64) -> ()
// CHECK:         %[[D_SEED:.*]] = arith.constant 7 : i64
// CHECK:         call @kiln_run_default_seed(%[[CTX]], %[[D_SEED]])
// CHECK:         %[[FREE2:.*]] = arith.constant 0 : i32
// CHECK:         %[[N_POLICY:.*]] = llvm.mlir.addressof @[[S_POLICY]]
// CHECK:         %[[D_POLICY:.*]] = llvm.mlir.addressof @[[S_A]]
// CHECK:         %[[I_POLICY:.*]] = call @kiln_run_declare_string(%[[CTX]], %[[N_POLICY]], %[[D_POLICY]], %[[FREE2]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i32) -> i64
// CHECK:         %[[C_A:.*]] = llvm.mlir.addressof @[[S_A]]
// CHECK:         call @kiln_run_declare_choice(%[[CTX]], %[[I_POLICY]], %[[C_A]])
// CHECK:         %[[C_B:.*]] = llvm.mlir.addressof @[[S_B]]
// CHECK:         call @kiln_run_declare_choice(%[[CTX]], %[[I_POLICY]], %[[C_B]])
// CHECK:         %[[FIXED:.*]] = arith.constant 1 : i32
// CHECK:         %[[N_BATCH:.*]] = llvm.mlir.addressof @[[S_BATCH]]
// CHECK:         %[[D_BATCH:.*]] = arith.constant 8 : i64
// CHECK:         call @kiln_run_declare_int(%[[CTX]], %[[N_BATCH]], %[[D_BATCH]], %[[FIXED]])
// CHECK-NOT:     kiln_run_declare

// --help and usage errors: kiln_run_start's status is returned at once.
// CHECK:         %[[STATUS:.*]] = call @kiln_run_start(%[[CTX]]) : (!llvm.ptr) -> i32
// CHECK:         %[[STOP:.*]] = arith.cmpi sge, %[[STATUS]], %{{.*}} : i32
// CHECK:         cf.cond_br %[[STOP]], ^[[EXIT:bb[0-9]+]], ^[[ALLOC:bb[0-9]+]]
// CHECK:       ^[[EXIT]]:
// CHECK-NEXT:    return %[[STATUS]] : i32

// Ten buffers, all allocated here, once (the second RUN line checks there
// are no others): the parameter, Adam's two moments,
// the step counter, the learning rate, the batch's two fields, the loss, the
// evaluation batch and the logits.
// CHECK:       ^[[ALLOC]]:
// CHECK-COUNT-10: memref.alloc() {alignment = 64 : i64}
// CHECK-NEXT:    cf.br ^[[BODY:bb[0-9]+]]
// CHECK:       ^[[BODY]]:

// CHECK:         %[[EPOCHS:.*]] = call @kiln_run_int(%[[CTX]], %{{.*}}) : (!llvm.ptr, i64) -> i64
// CHECK:         %[[LRV:.*]] = call @kiln_run_float(%[[CTX]], %{{.*}}) : (!llvm.ptr, i64) -> f64
// CHECK:         %[[SEED:.*]] = call @kiln_run_seed(%[[CTX]])
// CHECK:         %[[POLICY:.*]] = call @kiln_run_string(%[[CTX]], %{{.*}}) : (!llvm.ptr, i64) -> !llvm.ptr
// CHECK:         %[[TRAIN:.*]] = call @kiln_data_mnist(%[[CTX]], %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> !llvm.ptr

// Parameters are initialized in their buffers (glorot is kind 4, with the
// fans); the optimizer's moments and step counter are registered state; the
// learning rate is stored as f32 in its buffer.
// CHECK:         memref.extract_aligned_pointer_as_index %[[W:.*]] : memref<784x10xf32> -> index
// CHECK:         call @kiln_run_init_param(%[[CTX]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, i32, !llvm.ptr, i64, i64, i64, f64, f64) -> ()
// CHECK:         memref.extract_aligned_pointer_as_index %[[M:.*]] : memref<784x10xf32> -> index
// CHECK:         call @kiln_run_register_state(%[[CTX]],
// CHECK:         memref.extract_aligned_pointer_as_index %[[V:.*]] : memref<784x10xf32> -> index
// CHECK:         call @kiln_run_register_state(%[[CTX]],
// CHECK:         %[[N_STEP:.*]] = llvm.mlir.addressof @[[S_STEP]]
// CHECK:         memref.extract_aligned_pointer_as_index %[[T:.*]] : memref<f32> -> index
// CHECK:         call @kiln_run_register_state(%[[CTX]], %[[N_STEP]],
// CHECK:         %[[LR32:.*]] = arith.truncf %[[LRV]] : f64 to f32
// CHECK:         memref.store %[[LR32]], %[[LR:.*]][] : memref<f32>

// The epochs: a loop bracketed by progress calls.
// CHECK:         call @kiln_run_loop_enter(%[[CTX]], %{{.*}}, %{{.*}})
// CHECK:         scf.for %[[EPOCH:.*]] = %{{.*}} to %[[EPOCHS]] step %{{.*}} : i64 {
// CHECK:           func.call @kiln_run_loop_iter(%[[CTX]], %{{.*}}, %{{.*}})
// CHECK:           %[[S:.*]] = arith.addi %[[SEED]], %[[EPOCH]] : i64
// CHECK:           %[[SHUFFLED:.*]] = func.call @kiln_data_shuffle(%[[CTX]], %{{.*}}, %[[TRAIN]], %[[S]])
// CHECK:           %[[NB:.*]] = func.call @kiln_data_num_batches(%[[SHUFFLED]], %{{.*}}) : (!llvm.ptr, i64) -> i64
// CHECK:           func.call @kiln_run_loop_enter(%[[CTX]],
// CHECK:           scf.for %[[I:.*]] = %{{.*}} to %[[NB]] step %{{.*}} : i64 {
// CHECK:             func.call @kiln_run_loop_iter(%[[CTX]],
// CHECK:             %[[BATCH:.*]] = func.call @kiln_data_batch(%[[CTX]], %{{.*}}, %[[SHUFFLED]], %[[I]], %{{.*}}) : (!llvm.ptr, i64, !llvm.ptr, i64, i64) -> !llvm.ptr
// CHECK:             memref.extract_aligned_pointer_as_index %[[X:.*]] : memref<8x784xf32> -> index
// CHECK:             func.call @kiln_data_field_f32(%[[CTX]], %[[BATCH]],
// CHECK:             memref.extract_aligned_pointer_as_index %[[Y:.*]] : memref<8xi32> -> index
// CHECK:             func.call @kiln_data_field_i32(%[[CTX]], %[[BATCH]],

// The step: the counter goes up by one, then the train step runs on the
// parameter, the moments, the batch, the counter and the learning rate, with
// the loss as an out-buffer that the runtime then reads.
// CHECK:               %[[COUNT:.*]] = memref.load %[[T]][] : memref<f32>
// CHECK:               %[[NEXT:.*]] = arith.addf %[[COUNT]], %{{.*}} : f32
// CHECK:               memref.store %[[NEXT]], %[[T]][] : memref<f32>
// CHECK:               exp.invoke @Net.loss.train_step(%[[W]], %[[M]], %[[V]], %[[X]], %[[Y]], %[[T]], %[[LR]], %[[LOSS:.*]]) : memref<784x10xf32>, memref<784x10xf32>, memref<784x10xf32>, memref<8x784xf32>, memref<8xi32>, memref<f32>, memref<f32>, memref<f32>
// CHECK:               memref.extract_aligned_pointer_as_index %[[LOSS]]
// CHECK:               func.call @kiln_run_step_done(%[[CTX]], %{{.*}}) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK:             %[[L:.*]] = memref.load %[[LOSS]][] : memref<f32>
// CHECK:             %[[N_LOSS:.*]] = llvm.mlir.addressof @[[S_LOSS]]
// CHECK:             func.call @kiln_run_log_f32(%[[CTX]], %[[N_LOSS]], %[[L]]) : (!llvm.ptr, !llvm.ptr, f32) -> ()
// CHECK:           }
// CHECK:           func.call @kiln_run_loop_exit(%[[CTX]],

// Evaluation: a graph call on the parameter and a batch, into the logits'
// buffer; then the log with its hole and tag.
// CHECK:           func.call @kiln_data_batch(%[[CTX]], %{{.*}}, %[[TRAIN]],
// CHECK:           memref.extract_aligned_pointer_as_index %[[X2:.*]] : memref<8x784xf32> -> index
// CHECK:           func.call @kiln_data_field_f32(
// CHECK:           exp.invoke @Net.forward(%[[W]], %[[X2]], %{{.*}}) : memref<784x10xf32>, memref<8x784xf32>, memref<8x10xf32>
// CHECK:           func.call @kiln_run_hole_int(%[[CTX]], %[[EPOCH]]) : (!llvm.ptr, i64) -> ()
// CHECK:           %[[N_TAG:.*]] = llvm.mlir.addressof @[[S_POLICY]]
// CHECK:           func.call @kiln_run_tag_str(%[[CTX]], %[[N_TAG]], %[[POLICY]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK:           %[[N_LRLOG:.*]] = llvm.mlir.addressof @[[S_LRLOG]]
// CHECK:           func.call @kiln_run_log_f64(%[[CTX]], %[[N_LRLOG]], %[[LRV]]) : (!llvm.ptr, !llvm.ptr, f64) -> ()
// CHECK:         }
// CHECK:         call @kiln_run_loop_exit(%[[CTX]], %{{.*}})
// CHECK:         %[[DONE:.*]] = call @kiln_run_finish(%[[CTX]]) : (!llvm.ptr) -> i32
// CHECK:         return %[[DONE]] : i32
// CHECK-NEXT:  }

// The runtime's C ABI, declared once each; the experiment is gone.
// CHECK-DAG:   func.func private @kiln_run_create(i32, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> !llvm.ptr
// CHECK-DAG:   func.func private @kiln_run_start(!llvm.ptr) -> i32
// CHECK-DAG:   func.func private @kiln_run_step_done(!llvm.ptr, !llvm.ptr)
// CHECK-NOT:   exp.experiment
// CHECK-NOT:   exp.{{(hparam|dataset|step|call_graph|log)}}

// Without source-hash, the program's identity is a hash of the module.
// IDENTITY: llvm.mlir.global private constant @{{kiln_str_[0-9]+}}("{{[0-9a-f]{32}\\}}00")

exp.experiment @small hparams {batch = 8 : i64, epochs = 2 : i64, lr = 1.0e-3 : f64,
                               policy = "a", seed = 7 : i64}
    choices {policy = ["a", "b"]} ranges {lr = [0.0, 1.0]} fixed ["batch"] {
  %epochs = exp.hparam "epochs" : i64
  %lr = exp.hparam "lr" : f64
  %seed = exp.hparam "seed" : i64
  %policy = exp.hparam "policy" : !exp.str
  %train = exp.dataset "fashion_mnist" split "train"
  %net = exp.params "Net" names ["w"] types [tensor<784x10xf32>] inits [{kind = "glorot"}]
  %opt = exp.optimizer "adam" %net lr %lr
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  scf.for %epoch = %c0 to %epochs step %c1 : i64 {
    %s = arith.addi %seed, %epoch : i64
    %shuffled = exp.shuffle %train seed %s
    %n = exp.num_batches %shuffled size 8
    scf.for %i = %c0 to %n step %c1 : i64 {
      %b = exp.batch %shuffled[%i] size 8
      %x = exp.field %b "x" : tensor<8x784xf32>
      %y = exp.field %b "y" : tensor<8xi32>
      %loss = exp.step @Net.loss(%x, %y) params %net optimizer %opt
          : (tensor<8x784xf32>, tensor<8xi32>) -> tensor<f32>
      exp.log "train/loss"(%loss : tensor<f32>)
    }
    %b = exp.batch %train[%c0] size 8
    %x = exp.field %b "x" : tensor<8x784xf32>
    %logits = exp.call_graph @Net.forward(%x) params %net
        : (tensor<8x784xf32>) -> tensor<8x10xf32>
    exp.log "epoch{e}/lr"(%lr : f64) holes(%epoch : i64) tags ["policy"](%policy : !exp.str)
  }
}
