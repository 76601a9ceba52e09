//===- Passes.td - Passes of the autodiff phase ------------*- tablegen -*-===//

#ifndef KILN_COMPILER_AUTODIFF_PASSES
#define KILN_COMPILER_AUTODIFF_PASSES

include "mlir/Pass/PassBase.td"

def ValueAndGrad : Pass<"kiln-autodiff-value-and-grad", "mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of graph.value_and_grad";
  let description = [{
    Replaces each `graph.value_and_grad @f(...)` with a copy of `@f`'s body
    followed by its adjoint: a reverse sweep over the ops that both depend on
    a `wrt` operand and contribute to the first result, chaining each op's
    vector-Jacobian product (DifferentiableOpInterface). Gradients of values
    used several times are summed. A gradient that would have to flow through
    an op without a rule (a comparison, an integer cast, argmax) is an error
    located at that op, with a note at the value_and_grad. Callees must not
    contain calls: run `inline` first.
  }];
}

#endif // KILN_COMPILER_AUTODIFF_PASSES
