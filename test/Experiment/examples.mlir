// RUN: kilnc emit %kiln_src_root/examples/fashion_mlp.kiln --stage=experiment | kiln-opt --kiln-exp-build-train-steps | FileCheck %s --check-prefix=MLP
// RUN: kilnc emit %kiln_src_root/examples/induction_heads.kiln --stage=experiment | kiln-opt --kiln-exp-build-train-steps | FileCheck %s --check-prefix=INDUCTION
// RUN: kilnc emit %kiln_src_root/examples/fashion_mlp.kiln --stage=experiment \
// RUN:   | kiln-opt --kiln-exp-build-train-steps \
// RUN:       --symbol-privatize=exclude=Classifier.loss.train_step --symbol-dce \
// RUN:       --kiln-cpu-pipeline \
// RUN:   | FileCheck %s --check-prefix=LLVM

// The train steps of the examples, built from their experiments' exp.step.

// fashion_mlp: Adam at the hyper-parameter lr's default, 1e-3, on the six
// parameters of the MLP, their twelve moments, a batch and the step number.
// MLP-LABEL: func.func @Classifier.loss.train_step(
// MLP-SAME:    %[[W1:[^:]*]]: tensor<784x256xf32> {kiln.param = "mlp.l1.w"},
// MLP-SAME:    %[[M1:[^:]*]]: tensor<784x256xf32>,
// MLP-SAME:    %[[V1:[^:]*]]: tensor<784x256xf32>,
// MLP-SAME:    %[[X:[^:]*]]: tensor<64x784xf32> {kiln.arg = "x"}, %[[Y:[^:]*]]: tensor<64xi32> {kiln.arg = "y"}, %[[T:[^:]*]]: tensor<f32>)
// MLP-SAME:    -> (tensor<f32>, tensor<784x256xf32> {kiln.updates = 0 : i64},
// MLP-SAME:        tensor<10xf32> {kiln.updates = 17 : i64})
// MLP:         %[[G:.*]]:7 = graph.value_and_grad @Classifier.loss({{.*}}, %[[X]], %[[Y]]) {wrt = array<i64: 0, 1, 2, 3, 4, 5>}
// MLP:         %[[LR:.*]] = graph.constant dense<1.000000e-03> : tensor<f32>
// MLP:         graph.adam_update %[[W1]], %[[G]]#1, %[[M1]], %[[V1]], %[[LR]], %[[T]] : tensor<784x256xf32>, tensor<f32>
// MLP-COUNT-5: graph.adam_update
// MLP:         return %[[G]]#0,
// MLP:         exp.step @Classifier.loss(%{{.*}}, %{{.*}}) params %{{.*}} optimizer %{{.*}} train_step @Classifier.loss.train_step

// induction_heads: AdamW (weight decay 0.01) with cosine(lr, steps, warmup =
// 100) at steps = 2000.
// INDUCTION-LABEL: func.func @InductionNet.loss.train_step(
// INDUCTION:         graph.lr_schedule cosine %{{.*}} {base_lr = 1.000000e-03 : f64, decay_steps = 1900 : i64, warmup_steps = 100 : i64} : tensor<f32>
// INDUCTION:         graph.adam_update {{.*}} {decoupled, weight_decay = 1.000000e-02 : f64}

// The train step alone compiles for the CPU, with the parameters and moments
// updated in place: its C interface takes the 21 arguments and an out
// pointer for the loss, and returns nothing.
// LLVM-NOT:  exp.
// LLVM:      llvm.func @_mlir_ciface_Classifier.loss.train_step(
// LLVM-SAME:   %arg20: !llvm.ptr, %arg21: !llvm.ptr) attributes {llvm.emit_c_interface}
