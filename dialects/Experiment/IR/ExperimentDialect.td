//===- ExperimentDialect.td - Kiln's experiment dialect ----*- tablegen -*-===//
//
// The experiment dialect holds the host program of a .kiln experiment: its
// hyper-parameters, data sources, model and optimizer state, train steps,
// evaluations, logged metrics, checkpoints and replay buffers. Tensor work
// stays in graph-dialect functions that these ops call by symbol; loops and
// branches are scf, host arithmetic is arith.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_EXPERIMENT_DIALECT
#define KILN_EXPERIMENT_DIALECT

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpBase.td"

def Exp_Dialect : Dialect {
  let name = "exp";
  let cppNamespace = "::kiln::exp";
  let summary = "Kiln's experiment-level (host) dialect";
  let description = [{
    The host program of an experiment, one `exp.experiment` per .kiln
    experiment. Its ops are calls into the runtime (data, RNG, replay
    buffers, checkpoints, metrics) and into graph-dialect functions (train
    steps and evaluations). Loops are `scf.for` over `i64` bounds, so
    upstream passes lower them; host numbers are `i64`, `f64` and `i1`
    values computed with `arith`.
  }];
  let useDefaultTypePrinterParser = 1;
}

class Exp_Type<string name, string typeMnemonic, string doc>
    : TypeDef<Exp_Dialect, name> {
  let mnemonic = typeMnemonic;
  let summary = doc;
}

def Exp_StrType : Exp_Type<"Str", "str", "a host string">;
def Exp_DatasetType : Exp_Type<"Dataset", "dataset",
    "rows of named tensor fields, held by the runtime">;
def Exp_ParamsType : Exp_Type<"Params", "params",
    "the parameters of one model instance">;
def Exp_OptimizerType : Exp_Type<"Optimizer", "optimizer",
    "an optimizer and its state (moments, step counter)">;
def Exp_ReplayType : Exp_Type<"Replay", "replay", "a replay buffer">;

#endif // KILN_EXPERIMENT_DIALECT
