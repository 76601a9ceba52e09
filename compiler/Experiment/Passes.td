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
    moment), the loss's other arguments, the step number, a `tensor<f32>`
    that is 1 for the first step, and the base learning rate, a
    `tensor<f32>`. It returns the loss, the new parameters
    and the new state, each result marked `kiln.updates` with the argument
    it replaces. The body is `graph.value_and_grad` of the loss with respect
    to the parameters, the learning rate and one `graph.sgd_update` or
    `graph.adam_update` per parameter.

    The learning rate is the base rate, or the base rate times a
    `graph.lr_schedule` from 1: `cosine(steps, warmup)` becomes `cosine`
    with `decay_steps = steps - warmup` down to 0, `step_decay(every,
    factor)` becomes `step`; `linear` has no counterpart and is an error.
    Schedule arguments must be `arith.constant`s or hyper-parameters, which
    take their defaults: like sizes, they are fixed when the step is
    compiled, and the experiment lists them in `fixed`.
  }];
  let dependentDialects = ["::kiln::graph::GraphDialect",
                           "::mlir::func::FuncDialect"];
}

def LowerToRuntime : Pass<"kiln-exp-lower-to-runtime", "mlir::ModuleOp"> {
  let summary = "Lowers an experiment to a native main calling the runtime";
  let description = [{
    Replaces the chosen `exp.experiment` (the module's only one, or the one
    named by `experiment`; the others are removed) with `func.func @main(i32,
    !llvm.ptr) -> i32`: the host program, calling the runtime's C ABI
    (runtime/include/kiln/program.h) for hyper-parameters, data, parameter
    initialization, progress and metrics, and invoking graph functions
    through `exp.invoke` on buffers. Every tensor the program holds is a
    buffer of static shape allocated once, before the program starts, one
    per op that produces it; optimizer state and step counters are buffers
    registered with the runtime. Loops are bracketed by progress calls.
    Train steps must have been built (`--kiln-exp-build-train-steps`).
    Loops and branches may carry ints, floats, bools, strings, data sets and
    replay buffers; synthetic data is reported as not yet supported.

    Resuming from a checkpoint re-executes the program up to the saved
    position: loops start at the iteration the runtime returns from
    `kiln_run_loop_enter`, and train steps and replay insertions run only
    when `kiln_run_live` says the position is reached.
  }];
  let options = [
    Option<"experimentName", "experiment", "std::string", /*default=*/"\"\"",
           "The experiment to build when the module has several">,
    Option<"sourceHash", "source-hash", "std::string", /*default=*/"\"\"",
           "The program's identity for config.json (default: a hash of the "
           "module)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ResolveInvokes : Pass<"kiln-exp-resolve-invokes", "mlir::ModuleOp"> {
  let summary = "Turns exp.invoke into func.call once callees are bufferized";
  let description = [{
    Each `exp.invoke` becomes a `func.call` of its callee, which must by
    now take buffers exactly as the invoke passes them (the graph pipeline's
    bufferization with results as out-parameters and in-place updates
    dropped from the results).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // KILN_COMPILER_EXPERIMENT_PASSES
