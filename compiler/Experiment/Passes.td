//===- Passes.td - Passes of the experiment phase ----------*- tablegen -*-===//

#ifndef KILN_COMPILER_EXPERIMENT_PASSES
#define KILN_COMPILER_EXPERIMENT_PASSES

include "mlir/Pass/PassBase.td"

def BuildTrainSteps : Pass<"kiln-exp-build-train-steps", "mlir::ModuleOp"> {
  let summary = "Builds a graph-dialect train step for each exp.step";
  let description = [{
    For each distinct pair of loss function and optimizer used by an
    `exp.step`, adds a public function `@<loss>.train_step` next to the loss
    and names it in the step's `train_step` attribute. It takes the
    parameters, the optimizer's state (SGD with momentum: one velocity per
    parameter; Adam and AdamW: every first moment, then every second
    moment), the loss's other arguments and the step number, a `tensor<f32>`
    that is 1 for the first step. It returns the loss, the new parameters
    and the new state, each result marked `kiln.updates` with the argument
    it replaces. The body is `graph.value_and_grad` of the loss with respect
    to the parameters, the learning rate and one `graph.sgd_update` or
    `graph.adam_update` per parameter.

    The learning rate is a constant, or a `graph.lr_schedule`: `cosine(steps,
    warmup)` becomes `cosine` with `decay_steps = steps - warmup` down to 0,
    `step_decay(every, factor)` becomes `step`; `linear` has no counterpart
    and is an error. The learning rate and schedule arguments must be
    `arith.constant`s or hyper-parameters, which take their defaults: like
    sizes, they are fixed when the step is compiled.
  }];
  let dependentDialects = ["::kiln::graph::GraphDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // KILN_COMPILER_EXPERIMENT_PASSES
