//===- GraphShapes.h - Shape rules of the graph ops -------------*- C++ -*-===//
//
// The shape rules of the graph dialect, free of MLIR types so that the .kiln
// front-end reports the same rule at the user's source column that the op
// verifier enforces. A dimension equal to kDynamic is unknown and compatible
// with anything.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_GRAPH_IR_GRAPHSHAPES_H
#define KILN_DIALECTS_GRAPH_IR_GRAPHSHAPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <limits>
#include <string>

namespace kiln::graph {

constexpr int64_t kDynamic = std::numeric_limits<int64_t>::min();

using Shape = llvm::SmallVector<int64_t, 4>;

/// A shape, or the reason none exists.
struct ShapeOrError {
  Shape shape;
  std::string error;
  bool ok() const { return error.empty(); }
  static ShapeOrError failure(std::string message) {
    ShapeOrError r;
    r.error = std::move(message);
    return r;
  }
};

/// "[4, 8]" or "[?, 8]".
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// NumPy broadcasting of any number of shapes.
ShapeOrError broadcastShapes(llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes);

/// Whether `from` broadcasts to exactly `to` under NumPy rules.
bool broadcastsTo(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to);

ShapeOrError matmulShape(llvm::ArrayRef<int64_t> lhs,
                         llvm::ArrayRef<int64_t> rhs, bool transposeLhs,
                         bool transposeRhs);

/// Shape of a multi-head attention over `query` [B, T, W], `key` and `value`
/// [B, S, W] with an additive `mask` [T, S] and `heads` dividing W: the
/// query's.
ShapeOrError attentionShape(llvm::ArrayRef<int64_t> query,
                            llvm::ArrayRef<int64_t> key,
                            llvm::ArrayRef<int64_t> value,
                            llvm::ArrayRef<int64_t> mask, int64_t heads);

/// Normalizes `axes` against `rank` (negative values count from the end);
/// fails on out-of-range or repeated axes.
ShapeOrError normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank);

ShapeOrError reduceShape(llvm::ArrayRef<int64_t> input,
                         llvm::ArrayRef<int64_t> axes, bool keepdims);

ShapeOrError transposeShape(llvm::ArrayRef<int64_t> input,
                            llvm::ArrayRef<int64_t> permutation);

ShapeOrError sliceShape(llvm::ArrayRef<int64_t> input,
                        llvm::ArrayRef<int64_t> starts,
                        llvm::ArrayRef<int64_t> limits,
                        llvm::ArrayRef<int64_t> strides);

ShapeOrError concatShape(llvm::ArrayRef<llvm::ArrayRef<int64_t>> inputs,
                         int64_t axis);

ShapeOrError gatherShape(llvm::ArrayRef<int64_t> table,
                         llvm::ArrayRef<int64_t> indices, int64_t axis);

/// Shape of the per-example losses: `logits` without its last dimension,
/// which must equal `labels`.
ShapeOrError crossEntropyShape(llvm::ArrayRef<int64_t> logits,
                               llvm::ArrayRef<int64_t> labels);

/// Whether two shapes hold the same number of elements (unknown if dynamic).
bool sameElementCount(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

} // namespace kiln::graph

#endif // KILN_DIALECTS_GRAPH_IR_GRAPHSHAPES_H
