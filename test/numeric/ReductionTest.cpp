//===- ReductionTest.cpp - Matmul, reductions and softmax -----------------===//
//
// Contraction and reduction extents include odd sizes and sizes above the
// 32-wide vector tiles (70, 784), where a wrong tail would drop terms.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "llvm/ADT/SmallVectorExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <optional>

namespace kiln::numeric {
namespace {

using llvm::ArrayRef;
using llvm::formatv;
using llvm::StringRef;

/// "1, -1" for `array<i64: 1, -1>`, and "1_m1" for test names.
std::string axesList(ArrayRef<int64_t> axes) {
  return llvm::join(
      llvm::map_range(axes, [](int64_t a) { return std::to_string(a); }), ", ");
}
std::string axesName(ArrayRef<int64_t> axes) {
  return llvm::join(llvm::map_range(axes,
                                    [](int64_t a) {
                                      return (a < 0 ? "m" : "") +
                                             std::to_string(std::abs(a));
                                    }),
                    "_");
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

struct MatmulCase {
  Shape lhs, rhs;
  bool transposeLhs = false, transposeRhs = false;
  StringRef element = "f32";
};

const MatmulCase kMatmulCases[] = {
    {{5, 7}, {7, 3}},
    {{1, 7}, {7, 1}},
    {{7, 5}, {7, 3}, true, false},
    {{5, 7}, {3, 7}, false, true},
    {{7, 5}, {3, 7}, true, true},
    {{3, 70}, {70, 33}},
    {{8, 784}, {784, 10}},
    {{64, 784}, {784, 256}}, // the MLP's layers at batch 64
    {{64, 256}, {256, 10}},
    {{64, 10}, {256, 10}, false, true}, // and their gradients
    {{64, 256}, {64, 10}, true, false},
    {{2, 5}, {5, 70}},
    {{6, 70}, {33, 70}, false, true},
    {{4, 5, 7}, {4, 7, 3}},
    {{4, 16, 8}, {4, 16, 8}, false, true},
    {{3, 7, 5}, {1, 7, 33}, true, false},
    {{4, 5, 7}, {7, 3}},
    {{5, 7}, {3, 7, 70}},
    {{1, 5, 7}, {3, 7, 70}},
    {{2, 1, 5, 7}, {3, 7, 6}},
    {{5, 7}, {7, 3}, false, false, "f64"},
    {{4, 5, 7}, {7, 70}, false, false, "f64"},
};

Case matmulCase(const MatmulCase &m) {
  bool tl = m.transposeLhs, tr = m.transposeRhs;
  Shape out = ref::matmul(Array(m.lhs), Array(m.rhs), tl, tr).shape;
  std::string attrs;
  if (tl || tr)
    attrs = formatv(" {{{0}{1}{2}}", tl ? "transpose_lhs" : "",
                    tl && tr ? ", " : "", tr ? "transpose_rhs" : "");
  Case c{
      formatv("{0}_{1}_{2}{3}{4}", m.element, shapeName(m.lhs),
              shapeName(m.rhs), tl ? "_tl" : "", tr ? "_tr" : ""),
      singleOp(formatv("graph.matmul %arg0, %arg1{0} : ({1}, {2}) -> {3}",
                       attrs, tensorType(m.lhs, m.element),
                       tensorType(m.rhs, m.element), tensorType(out, m.element))
                   .str()),
      [tl, tr](ArrayRef<Array> in) {
        return ref::matmul(in[0], in[1], tl, tr);
      }};
  c.sumsTerms = true;
  return c;
}

INSTANTIATE_TEST_SUITE_P(Matmul, NumericTest,
                         testing::ValuesIn(llvm::map_to_vector(kMatmulCases,
                                                               matmulCase)),
                         caseName);

//===----------------------------------------------------------------------===//
// reduce_sum, reduce_mean, reduce_max
//===----------------------------------------------------------------------===//

struct ReduceCase {
  ref::Reduction kind;
  Shape shape;
  Shape axes;
  bool keepdims = false;
  StringRef element = "f32";
};

using ref::Reduction;
const ReduceCase kReduceCases[] = {
    {Reduction::Sum, {3, 70}, {1}},
    {Reduction::Sum, {3, 70}, {0}},
    {Reduction::Sum, {2, 5, 784}, {-1}},
    {Reduction::Sum, {4, 6, 70}, {0, 2}},
    {Reduction::Sum, {4, 6, 70}, {1}, true},
    {Reduction::Sum, {5, 33}, {-2}, true},
    {Reduction::Sum, {3, 70}, {0, 1}},
    {Reduction::Sum, {784}, {0}},
    {Reduction::Sum, {7}, {0}, true},
    {Reduction::Sum, {3, 70}, {1}, false, "i32"},
    {Reduction::Sum, {4, 6, 33}, {0, 2}, true, "i32"},
    {Reduction::Sum, {784}, {0}, false, "i64"},
    {Reduction::Sum, {4, 6, 70}, {2, 0}, false, "f64"},
    {Reduction::Mean, {3, 70}, {1}},
    {Reduction::Mean, {4, 6, 70}, {0, 2}},
    {Reduction::Mean, {5, 33}, {-1}, true},
    {Reduction::Mean, {2, 784}, {0, 1}},
    {Reduction::Mean, {2, 784}, {-2}},
    {Reduction::Mean, {3, 70}, {0}, false, "f64"},
    {Reduction::Max, {3, 70}, {1}},
    {Reduction::Max, {4, 6, 70}, {-3, -1}},
    {Reduction::Max, {2, 784}, {1}, true},
    {Reduction::Max, {5, 33}, {0, 1}},
    {Reduction::Max, {7, 5}, {0}},
    {Reduction::Max, {3, 70}, {0}, false, "i32"},
    {Reduction::Max, {5, 33}, {1}, true, "i64"},
    {Reduction::Max, {4, 6, 70}, {1}, false, "f64"},
};

StringRef reduceOpName(Reduction kind) {
  switch (kind) {
  case Reduction::Sum:
    return "reduce_sum";
  case Reduction::Mean:
    return "reduce_mean";
  case Reduction::Max:
    return "reduce_max";
  }
  llvm_unreachable("unknown reduction");
}

Case reduceCase(const ReduceCase &r) {
  Shape out = ref::reduce(Array(r.shape), r.kind, r.axes, r.keepdims).shape;
  StringRef op = reduceOpName(r.kind);
  Case c{formatv("{0}_{1}_{2}_axes_{3}{4}", op, r.element, shapeName(r.shape),
                 axesName(r.axes), r.keepdims ? "_keepdims" : ""),
         singleOp(formatv("graph.{0} %arg0 {{axes = array<i64: {1}>{2}} : "
                          "({3}) -> {4}",
                          op, axesList(r.axes), r.keepdims ? ", keepdims" : "",
                          tensorType(r.shape, r.element),
                          tensorType(out, r.element))
                      .str()),
         [r](ArrayRef<Array> in) {
           return ref::reduce(in[0], r.kind, r.axes, r.keepdims);
         }};
  c.sumsTerms = r.kind != Reduction::Max;
  return c;
}

INSTANTIATE_TEST_SUITE_P(Reduce, NumericTest,
                         testing::ValuesIn(llvm::map_to_vector(kReduceCases,
                                                               reduceCase)),
                         caseName);

//===----------------------------------------------------------------------===//
// softmax, log_softmax
//===----------------------------------------------------------------------===//

struct SoftmaxCase {
  Shape shape;
  /// None: the default axis (-1), left out of the op.
  std::optional<int64_t> axis;
  StringRef element = "f32";
  /// Large logits overflow exp unless the maximum is subtracted first
  /// (softmax only).
  Fill fill = Fill::nonZero(0.1, 2.0);
};

const SoftmaxCase kSoftmaxCases[] = {
    {{4, 70}, -1},
    {{5, 7}, 0},
    {{3, 784}, -1},
    {{2, 3, 33}, 1},
    {{6, 10}, std::nullopt},
    {{70, 3}, 0},
    {{5, 7}, -1, "f32", Fill::nonZero(50.0, 100.0)},
    {{4, 70}, -1, "f64"},
    {{5, 7}, 0, "f64"},
};

std::vector<Case> softmaxCases() {
  std::vector<Case> cases;
  for (bool log : {false, true}) {
    StringRef op = log ? "log_softmax" : "softmax";
    for (const SoftmaxCase &s : kSoftmaxCases) {
      int64_t axis = s.axis.value_or(-1);
      std::string attr =
          s.axis ? formatv(" {{axis = {0} : i64}", *s.axis).str() : "";
      bool large = s.fill.lo > 2.0;
      // With large gaps between logits the log-probability of the maximum is
      // -log(1 + tiny), which f32 rounds to 0: no relative accuracy exists.
      if (log && large)
        continue;
      cases.push_back(
          {formatv("{0}_{1}_{2}_axis_{3}{4}", op, s.element, shapeName(s.shape),
                   axesName(axis), large ? "_large" : ""),
           singleOp(formatv("graph.{0} %arg0{1} : {2}", op, attr,
                            tensorType(s.shape, s.element))
                        .str()),
           [log, axis](ArrayRef<Array> in) {
             return log ? ref::logSoftmax(in[0], axis)
                        : ref::softmax(in[0], axis);
           },
           {s.fill}});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Softmax, NumericTest,
                         testing::ValuesIn(softmaxCases()), caseName);

//===----------------------------------------------------------------------===//
// layer_norm, rms_norm
//===----------------------------------------------------------------------===//

std::vector<Case> normCases() {
  struct NormCase {
    Shape shape;
    int64_t axis;
    double epsilon;
    StringRef element;
  };
  const NormCase kNormCases[] = {
      {{4, 64}, -1, 1e-5, "f32"}, {{2, 3, 70}, 2, 1e-5, "f32"},
      {{5, 7}, 0, 1e-2, "f32"},   {{32, 17, 64}, -1, 1e-6, "f32"},
      {{4, 64}, -1, 1e-5, "f64"}, {{3, 5}, 0, 0.0, "f64"},
  };
  std::vector<Case> cases;
  for (bool center : {true, false}) {
    StringRef op = center ? "layer_norm" : "rms_norm";
    for (const NormCase &n : kNormCases) {
      cases.push_back(
          {formatv("{0}_{1}_{2}_axis_{3}", op, n.element, shapeName(n.shape),
                   axesName(n.axis))
               .str(),
           singleOp(formatv("graph.{0} %arg0 {{axis = {1} : i64, epsilon = "
                            "{2:e} : f64} : {3}",
                            op, n.axis, n.epsilon,
                            tensorType(n.shape, n.element))
                        .str()),
           [n, center](ArrayRef<Array> in) {
             return ref::norm(in[0], n.axis, n.epsilon, center);
           },
           {Fill::nonZero(0.1, 3.0)},
           /*sumsTerms=*/false,
           /*normalized=*/true});
    }
  }
  return cases;
}

//===----------------------------------------------------------------------===//
// cholesky_solve
//===----------------------------------------------------------------------===//

/// x with (m m^T + n I) x = b for each batch element, by Gaussian
/// elimination in double precision.
Array spdSolve(const Array &m, const Array &b) {
  int64_t rank = m.rank(), n = m.shape[rank - 1], cols = b.shape[rank - 1];
  int64_t batch = m.size() / (n * n);
  Array x(b.shape);
  for (int64_t s = 0; s < batch; ++s) {
    const double *ms = m.data.data() + s * n * n;
    std::vector<double> a(size_t(n * n)),
        rhs(b.data.begin() + s * n * cols, b.data.begin() + (s + 1) * n * cols);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double dot = i == j ? double(n) : 0.0;
        for (int64_t k = 0; k < n; ++k)
          dot += ms[i * n + k] * ms[j * n + k];
        a[i * n + j] = dot;
      }
    for (int64_t p = 0; p < n; ++p)
      for (int64_t i = p + 1; i < n; ++i) {
        double f = a[i * n + p] / a[p * n + p];
        for (int64_t j = p; j < n; ++j)
          a[i * n + j] -= f * a[p * n + j];
        for (int64_t c = 0; c < cols; ++c)
          rhs[i * cols + c] -= f * rhs[p * cols + c];
      }
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t i = n - 1; i >= 0; --i) {
        double v = rhs[i * cols + c];
        for (int64_t j = i + 1; j < n; ++j)
          v -= a[i * n + j] * x.data[(s * n + j) * cols + c];
        x.data[(s * n + i) * cols + c] = v / a[i * n + i];
      }
  }
  return x;
}

std::vector<Case> choleskyCases() {
  struct SolveCase {
    Shape batch;
    int64_t n, cols;
    StringRef element;
  };
  const SolveCase kSolveCases[] = {
      {{}, 1, 1, "f32"},   {{5}, 3, 2, "f32"}, {{2, 3}, 8, 1, "f32"},
      {{4}, 16, 3, "f32"}, {{6}, 8, 1, "f64"}, {{3, 2}, 5, 4, "f64"},
  };
  std::vector<Case> cases;
  for (const SolveCase &c : kSolveCases) {
    Shape square(c.batch), right(c.batch);
    square.insert(square.end(), {c.n, c.n});
    right.insert(right.end(), {c.n, c.cols});
    std::string a = tensorType(square, c.element),
                b = tensorType(right, c.element);
    // An SPD matrix from the input: m m^T + n I.
    std::string source =
        formatv(R"(func.func @main(%m: {0}, %b: {1}) -> {1} {
  %g = graph.matmul %m, %m {{transpose_rhs} : ({0}, {0}) -> {0}
  %s = graph.constant dense<{2}.0> : tensor<{3}>
  %e = graph.constant dense<{4}> : tensor<{5}x{5}x{3}>
  %d = graph.mul %s, %e : (tensor<{3}>, tensor<{5}x{5}x{3}>) -> tensor<{5}x{5}x{3}>
  %a = graph.add %g, %d : ({0}, tensor<{5}x{5}x{3}>) -> {0}
  %x = graph.cholesky_solve %a, %b : ({0}, {1}) -> {1}
  return %x : {1}
})",
                a, b, c.n, c.element,
                [&] {
                  std::string eye = "[";
                  for (int64_t i = 0; i < c.n; ++i) {
                    eye += i ? ", [" : "[";
                    for (int64_t j = 0; j < c.n; ++j)
                      eye +=
                          (j ? ", " : "") + std::string(i == j ? "1.0" : "0.0");
                    eye += "]";
                  }
                  return eye + "]";
                }(),
                c.n)
            .str();
    cases.push_back({formatv("cholesky_solve_{0}_{1}x{2}_batch_{3}", c.element,
                             c.n, c.cols, shapeName(c.batch))
                         .str(),
                     source,
                     [](ArrayRef<Array> in) { return spdSolve(in[0], in[1]); },
                     {Fill::nonZero(0.1, 1.0), Fill::nonZero(0.1, 2.0)},
                     /*sumsTerms=*/false,
                     /*normalized=*/true});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(CholeskySolve, NumericTest,
                         testing::ValuesIn(choleskyCases()), caseName);

INSTANTIATE_TEST_SUITE_P(Norm, NumericTest, testing::ValuesIn(normCases()),
                         caseName);

} // namespace
} // namespace kiln::numeric
