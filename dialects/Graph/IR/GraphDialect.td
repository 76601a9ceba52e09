//===- GraphDialect.td - Kiln's tensor-level graph dialect -*- tablegen -*-===//
//
// The graph dialect holds a model's computation as value-semantic tensor ops
// with static shapes and NumPy broadcasting. Every op infers its result type,
// so shape errors are caught where the op is built. Differentiable ops will
// carry their VJP rule (autodiff issue); all of them lower to linalg on
// tensors, which serves both the CPU and the GPU pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_GRAPH_DIALECT
#define KILN_GRAPH_DIALECT

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::kiln::graph";
  let hasConstantMaterializer = 1;
  let summary = "Kiln's differentiable tensor-level graph dialect";
  let description = [{
    Tensor ops over ranked tensors with static shapes: elementwise arithmetic
    with NumPy broadcasting, matmul, reductions, softmax, shape manipulation,
    gather and losses. Lowered to linalg by `--kiln-lower-graph-to-linalg`.
  }];
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

def Graph_ComparePredicate : I64EnumAttr<"ComparePredicate",
    "comparison predicate", [
      I64EnumAttrCase<"eq", 0>, I64EnumAttrCase<"ne", 1>,
      I64EnumAttrCase<"lt", 2>, I64EnumAttrCase<"le", 3>,
      I64EnumAttrCase<"gt", 4>, I64EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::kiln::graph";
}

def Graph_LossReduction : I64EnumAttr<"LossReduction",
    "how a loss reduces its per-example values", [
      I64EnumAttrCase<"mean", 0>, I64EnumAttrCase<"sum", 1>,
      I64EnumAttrCase<"none", 2>]> {
  let cppNamespace = "::kiln::graph";
}

def Graph_ScheduleKind : I64EnumAttr<"ScheduleKind",
    "shape of a learning-rate schedule after its warmup", [
      I64EnumAttrCase<"constant", 0>, I64EnumAttrCase<"cosine", 1>,
      I64EnumAttrCase<"step", 2>, I64EnumAttrCase<"inverse_sqrt", 3>,
      I64EnumAttrCase<"infinite", 4>]> {
  let cppNamespace = "::kiln::graph";
}

#endif // KILN_GRAPH_DIALECT
