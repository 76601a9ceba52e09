//===- GraphInterfaces.td - Interfaces of graph ops --------*- tablegen -*-===//

#ifndef KILN_GRAPH_INTERFACES
#define KILN_GRAPH_INTERFACES

include "mlir/IR/OpBase.td"

def Graph_DifferentiableOpInterface
    : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::kiln::graph";
  let description = [{
    An op with a vector-Jacobian product: given the gradient of a scalar
    with respect to each result, it builds the gradient with respect to each
    operand out of graph ops. The rules live in GraphVJP.cpp, one function
    per op; reverse-mode autodiff (`--kiln-autodiff-value-and-grad`) only
    chains them.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the operand gradients from `resultGrads` (one per result, of
        the result's type) at the builder's insertion point. Returns one value
        per operand, null where the operand takes no gradient.
      }],
      "::llvm::SmallVector<::mlir::Value>", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$resultGrads)>,
    InterfaceMethod<[{
        Whether a gradient may flow into operand `index`. False for operands
        that are not differentiable by design (a select's condition, gather
        indices, class labels, the input of stop_gradient); a gradient that
        would reach any other operand without a rule is an error.
      }],
      "bool", "isDifferentiableOperand", (ins "unsigned":$index), [{}],
      [{ return true; }]>,
  ];
}

#endif // KILN_GRAPH_INTERFACES
