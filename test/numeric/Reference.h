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
/// (x - mean) / sqrt(mean((x - mean)^2) + epsilon) along `axis`, with the
/// mean taken as 0 unless `center` (layer norm; RMS norm without).
Array norm(const Array &input, int64_t axis, double epsilon, bool center);
Array logSoftmax(const Array &input, int64_t axis = -1);

Array transpose(const Array &input, llvm::ArrayRef<int64_t> permutation);
Array slice(const Array &input, llvm::ArrayRef<int64_t> starts,
            llvm::ArrayRef<int64_t> limits, llvm::ArrayRef<int64_t> strides);
Array concat(llvm::ArrayRef<Array> inputs, int64_t axis);
/// NumPy `take` with out-of-range indices clamped into range.
Array gather(const Array &table, const Array &indices, int64_t axis = 0);
/// An index outside [0, depth) gives a row of zeros.
Array oneHot(const Array &indices, int64_t depth);

/// `dest` with the window at `starts` by `strides`, shaped like `source`,
/// overwritten by `source`.
Array insertSlice(const Array &source, const Array &dest,
                  llvm::ArrayRef<int64_t> starts,
                  llvm::ArrayRef<int64_t> strides);
/// NumPy `np.add.at(dest, indices, updates)` along `axis`, the adjoint of
/// `gather`: out-of-range indices are clamped into range and repeated ones
/// accumulate.
Array scatterAdd(const Array &updates, const Array &indices, const Array &dest,
                 int64_t axis = 0);
/// The first index of the maximum along `axis`, which is dropped.
Array argmax(const Array &input, int64_t axis = -1);

enum class LossReduction { Mean, Sum, None };
/// Labels outside [0, C) mask their position (loss 0, not counted in the
/// mean); `smoothing` mixes the one-hot target with the uniform one.
Array softmaxCrossEntropy(const Array &logits, const Array &labels,
                          LossReduction reduction = LossReduction::Mean,
                          double smoothing = 0.0);
Array bceWithLogits(const Array &logits, const Array &targets,
                    LossReduction reduction = LossReduction::Mean);
/// Fraction of unmasked positions whose first argmax is the label.
Array accuracy(const Array &logits, const Array &labels);
Array mse(const Array &prediction, const Array &target);

//===----------------------------------------------------------------------===//
// Optimizers and schedules, as PyTorch's
//===----------------------------------------------------------------------===//

/// torch.optim.SGD without dampening.
struct Sgd {
  double momentum = 0.0;
  bool nesterov = false;
  double weightDecay = 0.0;
};
/// {new_param, new_velocity}.
std::vector<Array> sgdUpdate(const Sgd &sgd, const Array &param,
                             const Array &grad, const Array &velocity,
                             double lr);

/// torch.optim.Adam, or torch.optim.AdamW when `decoupled`.
struct Adam {
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0.0;
  bool decoupled = false;
};
/// {new_param, new_m, new_v}; `step` counts from 1.
std::vector<Array> adamUpdate(const Adam &adam, const Array &param,
                              const Array &grad, const Array &m, const Array &v,
                              double lr, double step);

/// torch.nn.utils.clip_grad_norm_: every gradient scaled by
/// min(1, maxNorm / (norm + 1e-6)), followed by the norm as a scalar.
std::vector<Array> clipByGlobalNorm(llvm::ArrayRef<Array> grads,
                                    double maxNorm);

/// The attributes of graph.lr_schedule, with the op's defaults.
struct LrSchedule {
  enum class Kind { Constant, Cosine, Step, InverseSqrt, Infinite };
  Kind kind;
  double baseLr;
  int64_t warmupSteps = 0;
  double finalLr = 0.0;
  int64_t decaySteps = 0, cycleSteps = 0, stepSize = 0;
  double gamma = 0.1, constantLr = 0.0;
  int64_t cooldownSteps = 0, annealStart = 0, annealSteps = 0;
};
/// The learning rate at `step`, counted from 0.
double lrSchedule(const LrSchedule &schedule, double step);

} // namespace ref
} // namespace kiln::numeric

#endif // KILN_TEST_NUMERIC_REFERENCE_H
