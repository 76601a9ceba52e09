//===- Reference.h - Plain C++ reference semantics of the graph ops -*- C++
//-*-===//
//
// Straightforward, unoptimized implementations of every graph op over dense
// row-major arrays of doubles, written from the op descriptions in
// GraphOps.td. The numeric tests compare compiled code against them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_NUMERIC_REFERENCE_H
#define KILN_TEST_NUMERIC_REFERENCE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <vector>

namespace kiln::numeric {

using Shape = std::vector<int64_t>;

/// A dense row-major array of doubles: an input as the reference reads it, or
/// the result it expects. Integers and booleans are held exactly.
struct Array {
  Shape shape;
  std::vector<double> data;

  Array() = default;
  explicit Array(Shape shape, double fill = 0.0);
  Array(Shape shape, std::vector<double> data);

  int64_t rank() const { return shape.size(); }
  int64_t size() const { return data.size(); }
  /// The flat row-major offset of a multi-index.
  int64_t offset(llvm::ArrayRef<int64_t> index) const;
  double &at(llvm::ArrayRef<int64_t> index) { return data[offset(index)]; }
  double at(llvm::ArrayRef<int64_t> index) const { return data[offset(index)]; }
};

/// Calls `fn` with every multi-index of `shape` in row-major order (once with
/// an empty index for a rank-0 shape).
void forEachIndex(llvm::ArrayRef<int64_t> shape,
                  llvm::function_ref<void(llvm::ArrayRef<int64_t>)> fn);

/// `axes` with negative values counted from the end of a rank-`rank` shape.
Shape normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank);

namespace ref {

using ScalarFn = llvm::function_ref<double(llvm::ArrayRef<double>)>;

/// NumPy broadcast of `shapes`.
Shape broadcastShape(llvm::ArrayRef<Shape> shapes);

/// Elementwise `fn` over `inputs` broadcast to `outShape`.
Array broadcastMap(llvm::ArrayRef<Array> inputs,
                   llvm::ArrayRef<int64_t> outShape, ScalarFn fn);
/// Elementwise `fn` over `inputs` broadcast to their common shape.
Array map(llvm::ArrayRef<Array> inputs, ScalarFn fn);

Array broadcastTo(const Array &input, llvm::ArrayRef<int64_t> shape);
Array reshape(const Array &input, llvm::ArrayRef<int64_t> shape);

// Scalar functions with no exact C++ counterpart.
double sigmoid(double x);
double relu(double x);
double gelu(double x);
double rsqrt(double x);

Array matmul(const Array &lhs, const Array &rhs, bool transposeLhs = false,
             bool transposeRhs = false);

enum class Reduction { Sum, Mean, Max };
Array reduce(const Array &input, Reduction kind, llvm::ArrayRef<int64_t> axes,
             bool keepdims = false);

Array softmax(const Array &input, int64_t axis = -1);
Array logSoftmax(const Array &input, int64_t axis = -1);

Array transpose(const Array &input, llvm::ArrayRef<int64_t> permutation);
Array slice(const Array &input, llvm::ArrayRef<int64_t> starts,
            llvm::ArrayRef<int64_t> limits, llvm::ArrayRef<int64_t> strides);
Array concat(llvm::ArrayRef<Array> inputs, int64_t axis);
/// NumPy `take` with out-of-range indices clamped into range.
Array gather(const Array &table, const Array &indices, int64_t axis = 0);
/// An index outside [0, depth) gives a row of zeros.
Array oneHot(const Array &indices, int64_t depth);

enum class LossReduction { Mean, Sum, None };
Array softmaxCrossEntropy(const Array &logits, const Array &labels,
                          LossReduction reduction = LossReduction::Mean);
Array mse(const Array &prediction, const Array &target);

} // namespace ref
} // namespace kiln::numeric

#endif // KILN_TEST_NUMERIC_REFERENCE_H
