//===- Reference.cpp - Plain C++ reference semantics of the graph ops -----===//

#include "Reference.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace kiln::numeric {

using llvm::ArrayRef;
using llvm::SmallVector;

static int64_t numElements(ArrayRef<int64_t> shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1},
                         std::multiplies<int64_t>());
}

Array::Array(Shape shape, double fill)
    : shape(std::move(shape)), data(numElements(this->shape), fill) {}

Array::Array(Shape shape, std::vector<double> data)
    : shape(std::move(shape)), data(std::move(data)) {
  assert(numElements(this->shape) == size() && "data does not fit the shape");
}

int64_t Array::offset(ArrayRef<int64_t> index) const {
  assert(index.size() == shape.size() && "index rank mismatch");
  int64_t flat = 0;
  for (auto [i, d] : llvm::zip_equal(index, shape)) {
    assert(i >= 0 && i < d && "index out of bounds");
    flat = flat * d + i;
  }
  return flat;
}

void forEachIndex(ArrayRef<int64_t> shape,
                  llvm::function_ref<void(ArrayRef<int64_t>)> fn) {
  if (numElements(shape) == 0)
    return;
  SmallVector<int64_t> index(shape.size(), 0);
  while (true) {
    fn(index);
    int64_t d = shape.size() - 1;
    for (; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

Shape normalizeAxes(ArrayRef<int64_t> axes, int64_t rank) {
  Shape out;
  for (int64_t a : axes)
    out.push_back(a < 0 ? a + rank : a);
  return out;
}

namespace ref {

Shape broadcastShape(ArrayRef<Shape> shapes) {
  size_t rank = 0;
  for (const Shape &s : shapes)
    rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const Shape &s : shapes) {
    size_t offset = rank - s.size();
    for (auto [i, d] : llvm::enumerate(s)) {
      if (d == 1)
        continue;
      assert((out[offset + i] == 1 || out[offset + i] == d) &&
             "shapes do not broadcast");
      out[offset + i] = d;
    }
  }
  return out;
}

/// The index of an operand of `shape` read at `outIndex` under NumPy
/// broadcasting.
static SmallVector<int64_t> broadcastIndex(ArrayRef<int64_t> outIndex,
                                           ArrayRef<int64_t> shape) {
  size_t offset = outIndex.size() - shape.size();
  SmallVector<int64_t> index;
  for (auto [i, d] : llvm::enumerate(shape))
    index.push_back(d == 1 ? 0 : outIndex[offset + i]);
  return index;
}

Array broadcastMap(ArrayRef<Array> inputs, ArrayRef<int64_t> outShape,
                   ScalarFn fn) {
  Array out(Shape(outShape.begin(), outShape.end()));
  SmallVector<double> args(inputs.size());
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    for (auto [arg, in] : llvm::zip_equal(args, inputs))
      arg = in.at(broadcastIndex(index, in.shape));
    out.at(index) = fn(args);
  });
  return out;
}

Array map(ArrayRef<Array> inputs, ScalarFn fn) {
  SmallVector<Shape> shapes;
  for (const Array &a : inputs)
    shapes.push_back(a.shape);
  return broadcastMap(inputs, broadcastShape(shapes), fn);
}

Array broadcastTo(const Array &input, ArrayRef<int64_t> shape) {
  return broadcastMap(input, shape, [](ArrayRef<double> x) { return x[0]; });
}

Array reshape(const Array &input, ArrayRef<int64_t> shape) {
  return Array(Shape(shape.begin(), shape.end()), input.data);
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double relu(double x) { return std::max(x, 0.0); }
double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double rsqrt(double x) { return 1.0 / std::sqrt(x); }

Array matmul(const Array &lhs, const Array &rhs, bool transposeLhs,
             bool transposeRhs) {
  assert(lhs.rank() >= 2 && rhs.rank() >= 2 && "matmul needs rank >= 2");
  int64_t l = lhs.rank(), r = rhs.rank();
  int64_t m = lhs.shape[transposeLhs ? l - 1 : l - 2];
  int64_t k = lhs.shape[transposeLhs ? l - 2 : l - 1];
  int64_t n = rhs.shape[transposeRhs ? r - 2 : r - 1];
  assert(k == rhs.shape[transposeRhs ? r - 1 : r - 2] &&
         "contraction mismatch");
  Shape lhsBatch(lhs.shape.begin(), lhs.shape.end() - 2);
  Shape rhsBatch(rhs.shape.begin(), rhs.shape.end() - 2);
  Shape outShape = broadcastShape({lhsBatch, rhsBatch});
  outShape.push_back(m);
  outShape.push_back(n);

  Array out(outShape);
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    ArrayRef<int64_t> batch = index.drop_back(2);
    int64_t i = index[index.size() - 2], j = index.back();
    SmallVector<int64_t> a = broadcastIndex(batch, lhsBatch);
    SmallVector<int64_t> b = broadcastIndex(batch, rhsBatch);
    a.append(2, 0);
    b.append(2, 0);
    double sum = 0.0;
    for (int64_t p = 0; p < k; ++p) {
      a[l - 2] = transposeLhs ? p : i;
      a[l - 1] = transposeLhs ? i : p;
      b[r - 2] = transposeRhs ? j : p;
      b[r - 1] = transposeRhs ? p : j;
      sum += lhs.at(a) * rhs.at(b);
    }
    out.at(index) = sum;
  });
  return out;
}

Array reduce(const Array &input, Reduction kind, ArrayRef<int64_t> axes,
             bool keepdims) {
  Shape reduced = normalizeAxes(axes, input.rank());
  auto isReduced = [&](int64_t d) { return llvm::is_contained(reduced, d); };
  // Accumulate into a kept-dims shape, then drop the reduced dimensions.
  Shape keptShape = input.shape;
  int64_t count = 1;
  for (int64_t d : reduced) {
    count *= keptShape[d];
    keptShape[d] = 1;
  }
  double init =
      kind == Reduction::Max ? -std::numeric_limits<double>::infinity() : 0.0;
  Array out(keptShape, init);
  forEachIndex(input.shape, [&](ArrayRef<int64_t> index) {
    SmallVector<int64_t> outIndex(index.begin(), index.end());
    for (int64_t d : reduced)
      outIndex[d] = 0;
    double &acc = out.at(outIndex);
    double x = input.at(index);
    acc = kind == Reduction::Max ? std::max(acc, x) : acc + x;
  });
  if (kind == Reduction::Mean)
    for (double &x : out.data)
      x /= count;
  if (keepdims)
    return out;
  Shape outShape;
  for (int64_t d = 0; d < input.rank(); ++d)
    if (!isReduced(d))
      outShape.push_back(input.shape[d]);
  return reshape(out, outShape);
}

/// Calls `fn` with the flat offsets of every line of `shape` along `axis`.
static void forEachLine(ArrayRef<int64_t> shape, int64_t axis,
                        llvm::function_ref<void(ArrayRef<int64_t>)> fn) {
  Shape outer(shape.begin(), shape.end());
  outer[axis] = 1;
  int64_t stride = numElements(shape.drop_front(axis + 1));
  Array layout(Shape(shape.begin(), shape.end()));
  SmallVector<int64_t> offsets(shape[axis]);
  forEachIndex(outer, [&](ArrayRef<int64_t> index) {
    int64_t base = layout.offset(index);
    for (auto [j, o] : llvm::enumerate(offsets))
      o = base + static_cast<int64_t>(j) * stride;
    fn(offsets);
  });
}

/// x - max(x) - log(sum(exp(x - max(x)))) along `axis`.
Array logSoftmax(const Array &input, int64_t axis) {
  Array out(input.shape);
  forEachLine(input.shape, normalizeAxes(axis, input.rank()).front(),
              [&](ArrayRef<int64_t> line) {
                double max = -std::numeric_limits<double>::infinity();
                for (int64_t o : line)
                  max = std::max(max, input.data[o]);
                double sum = 0.0;
                for (int64_t o : line)
                  sum += std::exp(input.data[o] - max);
                for (int64_t o : line)
                  out.data[o] = input.data[o] - max - std::log(sum);
              });
  return out;
}

Array norm(const Array &input, int64_t axis, double epsilon, bool center) {
  Array out(input.shape);
  forEachLine(input.shape, normalizeAxes(axis, input.rank()).front(),
              [&](ArrayRef<int64_t> line) {
                double mean = 0.0;
                if (center) {
                  for (int64_t o : line)
                    mean += input.data[o];
                  mean /= double(line.size());
                }
                double square = 0.0;
                for (int64_t o : line)
                  square += (input.data[o] - mean) * (input.data[o] - mean);
                double scale =
                    1.0 / std::sqrt(square / double(line.size()) + epsilon);
                for (int64_t o : line)
                  out.data[o] = (input.data[o] - mean) * scale;
              });
  return out;
}

Array softmax(const Array &input, int64_t axis) {
  Array out = logSoftmax(input, axis);
  for (double &x : out.data)
    x = std::exp(x);
  return out;
}

Array transpose(const Array &input, ArrayRef<int64_t> permutation) {
  Shape perm = normalizeAxes(permutation, input.rank());
  Shape outShape;
  for (int64_t p : perm)
    outShape.push_back(input.shape[p]);
  Array out(outShape);
  SmallVector<int64_t> from(input.rank());
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    for (auto [i, p] : llvm::enumerate(perm))
      from[p] = index[i];
    out.at(index) = input.at(from);
  });
  return out;
}

Array slice(const Array &input, ArrayRef<int64_t> starts,
            ArrayRef<int64_t> limits, ArrayRef<int64_t> strides) {
  Shape outShape;
  for (int64_t d = 0; d < input.rank(); ++d)
    outShape.push_back((limits[d] - starts[d] + strides[d] - 1) / strides[d]);
  Array out(outShape);
  SmallVector<int64_t> from(input.rank());
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    for (int64_t d = 0; d < input.rank(); ++d)
      from[d] = starts[d] + index[d] * strides[d];
    out.at(index) = input.at(from);
  });
  return out;
}

Array concat(ArrayRef<Array> inputs, int64_t axis) {
  axis = normalizeAxes(axis, inputs.front().rank()).front();
  Shape outShape = inputs.front().shape;
  outShape[axis] = 0;
  for (const Array &in : inputs)
    outShape[axis] += in.shape[axis];
  Array out(outShape);
  int64_t start = 0;
  for (const Array &in : inputs) {
    forEachIndex(in.shape, [&](ArrayRef<int64_t> index) {
      SmallVector<int64_t> to(index.begin(), index.end());
      to[axis] += start;
      out.at(to) = in.at(index);
    });
    start += in.shape[axis];
  }
  return out;
}

/// The index of `table` that a gather along `axis` reads at `index` of its
/// result: the index read from `indices` there, clamped into range.
static SmallVector<int64_t> gatheredIndex(ArrayRef<int64_t> index,
                                          const Array &table,
                                          const Array &indices, int64_t axis) {
  ArrayRef<int64_t> at = index.slice(axis, indices.rank());
  int64_t row = static_cast<int64_t>(indices.at(at));
  row = std::clamp<int64_t>(row, 0, table.shape[axis] - 1);
  SmallVector<int64_t> from(index.take_front(axis));
  from.push_back(row);
  llvm::append_range(from, index.drop_front(axis + indices.rank()));
  return from;
}

Array gather(const Array &table, const Array &indices, int64_t axis) {
  axis = normalizeAxes(axis, table.rank()).front();
  Shape outShape(table.shape.begin(), table.shape.begin() + axis);
  llvm::append_range(outShape, indices.shape);
  outShape.insert(outShape.end(), table.shape.begin() + axis + 1,
                  table.shape.end());
  Array out(outShape);
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    out.at(index) = table.at(gatheredIndex(index, table, indices, axis));
  });
  return out;
}

Array oneHot(const Array &indices, int64_t depth) {
  Shape outShape = indices.shape;
  outShape.push_back(depth);
  Array out(outShape);
  forEachIndex(outShape, [&](ArrayRef<int64_t> index) {
    out.at(index) = indices.at(index.drop_back()) == index.back() ? 1.0 : 0.0;
  });
  return out;
}

Array insertSlice(const Array &source, const Array &dest,
                  ArrayRef<int64_t> starts, ArrayRef<int64_t> strides) {
  Array out = dest;
  SmallVector<int64_t> to(dest.rank());
  forEachIndex(source.shape, [&](ArrayRef<int64_t> index) {
    for (int64_t d = 0; d < dest.rank(); ++d)
      to[d] = starts[d] + index[d] * strides[d];
    out.at(to) = source.at(index);
  });
  return out;
}

Array scatterAdd(const Array &updates, const Array &indices, const Array &dest,
                 int64_t axis) {
  axis = normalizeAxes(axis, dest.rank()).front();
  Array out = dest;
  forEachIndex(updates.shape, [&](ArrayRef<int64_t> index) {
    out.at(gatheredIndex(index, dest, indices, axis)) += updates.at(index);
  });
  return out;
}

Array argmax(const Array &input, int64_t axis) {
  axis = normalizeAxes(axis, input.rank()).front();
  Shape outShape = input.shape;
  outShape.erase(outShape.begin() + axis);
  Array out(outShape);
  // Lines along `axis` come in the row-major order of the result.
  int64_t next = 0;
  forEachLine(input.shape, axis, [&](ArrayRef<int64_t> line) {
    int64_t best = 0;
    for (auto [j, o] : llvm::enumerate(line))
      if (input.data[o] > input.data[line[best]])
        best = j;
    out.data[next++] = best;
  });
  return out;
}

/// Reduces per-position `losses` over the positions where `mask` is 1.
static Array reduceMasked(const Array &losses, const Array &mask,
                          LossReduction reduction) {
  if (reduction == LossReduction::None)
    return losses;
  double total = 0, count = 0;
  for (int64_t i = 0; i < losses.size(); ++i) {
    total += losses.data[i];
    count += mask.data[i];
  }
  if (reduction == LossReduction::Mean)
    total /= std::max(count, 1.0);
  return Array({}, {total});
}

Array softmaxCrossEntropy(const Array &logits, const Array &labels,
                          LossReduction reduction, double smoothing) {
  Array logProbs = logSoftmax(logits, -1);
  int64_t classes = logits.shape.back();
  Array losses(labels.shape), mask(labels.shape);
  forEachIndex(labels.shape, [&](ArrayRef<int64_t> index) {
    int64_t label = static_cast<int64_t>(labels.at(index));
    if (label < 0 || label >= classes)
      return;
    mask.at(index) = 1;
    SmallVector<int64_t> at(index.begin(), index.end());
    at.push_back(0);
    double loss = 0;
    for (int64_t c = 0; c < classes; ++c) {
      at.back() = c;
      double target = (c == label ? 1 - smoothing : 0) + smoothing / classes;
      loss -= target * logProbs.at(at);
    }
    losses.at(index) = loss;
  });
  return reduceMasked(losses, mask, reduction);
}

Array bceWithLogits(const Array &logits, const Array &targets,
                    LossReduction reduction) {
  Array losses = map({logits, targets}, [](ArrayRef<double> x) {
    double p = 1 / (1 + std::exp(-x[0]));
    return -x[1] * std::log(p) - (1 - x[1]) * std::log(1 - p);
  });
  return reduceMasked(losses, Array(losses.shape, 1.0), reduction);
}

Array accuracy(const Array &logits, const Array &labels) {
  int64_t classes = logits.shape.back();
  double hits = 0, count = 0;
  forEachIndex(labels.shape, [&](ArrayRef<int64_t> index) {
    int64_t label = static_cast<int64_t>(labels.at(index));
    if (label < 0 || label >= classes)
      return;
    SmallVector<int64_t> at(index.begin(), index.end());
    at.push_back(0);
    int64_t best = 0;
    double bestValue = logits.at(at);
    for (int64_t c = 1; c < classes; ++c) {
      at.back() = c;
      if (logits.at(at) > bestValue) {
        bestValue = logits.at(at);
        best = c;
      }
    }
    hits += best == label;
    count += 1;
  });
  return Array({}, {count ? hits / count : 0.0});
}

Array mse(const Array &prediction, const Array &target) {
  Array squared = map({prediction, target}, [](ArrayRef<double> x) {
    return (x[0] - x[1]) * (x[0] - x[1]);
  });
  Shape all(squared.rank());
  std::iota(all.begin(), all.end(), 0);
  return reduce(squared, Reduction::Mean, all);
}

std::vector<Array> sgdUpdate(const Sgd &sgd, const Array &param,
                             const Array &grad, const Array &velocity,
                             double lr) {
  Array newParam(param.shape), newVelocity(param.shape);
  for (int64_t i = 0; i < param.size(); ++i) {
    double p = param.data[i];
    double g = grad.data[i] + sgd.weightDecay * p;
    double v = sgd.momentum * velocity.data[i] + g;
    double direction = sgd.nesterov ? g + sgd.momentum * v : v;
    newParam.data[i] = p - lr * direction;
    newVelocity.data[i] = v;
  }
  return {newParam, newVelocity};
}

std::vector<Array> adamUpdate(const Adam &adam, const Array &param,
                              const Array &grad, const Array &m, const Array &v,
                              double lr, double step) {
  Array newParam(param.shape), newM(param.shape), newV(param.shape);
  double biasCorrection1 = 1 - std::pow(adam.beta1, step);
  double biasCorrection2 = 1 - std::pow(adam.beta2, step);
  for (int64_t i = 0; i < param.size(); ++i) {
    double p = param.data[i], g = grad.data[i];
    if (adam.decoupled)
      p *= 1 - lr * adam.weightDecay;
    else
      g += adam.weightDecay * p;
    double mi = adam.beta1 * m.data[i] + (1 - adam.beta1) * g;
    double vi = adam.beta2 * v.data[i] + (1 - adam.beta2) * g * g;
    newParam.data[i] = p - lr * (mi / biasCorrection1) /
                               (std::sqrt(vi / biasCorrection2) + adam.epsilon);
    newM.data[i] = mi;
    newV.data[i] = vi;
  }
  return {newParam, newM, newV};
}

std::vector<Array> clipByGlobalNorm(ArrayRef<Array> grads, double maxNorm) {
  double squares = 0.0;
  for (const Array &g : grads)
    for (double x : g.data)
      squares += x * x;
  double norm = std::sqrt(squares);
  double scale = std::min(1.0, maxNorm / (norm + 1e-6));
  std::vector<Array> out(grads.begin(), grads.end());
  for (Array &g : out)
    for (double &x : g.data)
      x *= scale;
  out.push_back(Array({}, norm));
  return out;
}

double lrSchedule(const LrSchedule &s, double step) {
  using Kind = LrSchedule::Kind;
  if (step < s.warmupSteps)
    return s.baseLr * (step + 1) / s.warmupSteps;
  double t = step - s.warmupSteps;
  // From `from` to `to` along half a cosine over `steps`, then `to`.
  auto cosine = [](double from, double to, double at, double steps) {
    if (at >= steps)
      return to;
    return to + (from - to) * (1 + std::cos(M_PI * at / steps)) / 2;
  };
  switch (s.kind) {
  case Kind::Constant:
    return s.baseLr;
  case Kind::Cosine: {
    double local = s.cycleSteps > 0 ? std::fmod(t, s.cycleSteps) : t;
    return cosine(s.baseLr, s.finalLr, local, s.decaySteps);
  }
  case Kind::Step:
    return s.baseLr * std::pow(s.gamma, std::floor(t / s.stepSize));
  case Kind::InverseSqrt:
    return s.baseLr *
           std::sqrt(std::max<double>(s.warmupSteps, 1) / (step + 1));
  case Kind::Infinite:
    if (s.annealStart > 0 && step >= s.annealStart) {
      double into = step - s.annealStart;
      if (into >= s.annealSteps)
        return s.finalLr;
      return s.constantLr *
             std::pow(s.finalLr / s.constantLr, into / s.annealSteps);
    }
    return cosine(s.baseLr, s.constantLr, t, s.cooldownSteps);
  }
  llvm_unreachable("unknown schedule");
}

} // namespace ref
} // namespace kiln::numeric
