//===- AttentionTest.cpp - graph.attention and its gradient, end to end ---===//
//
// graph.attention through the CPU pipeline (f32: the runtime's fused
// kernels; f64: the expansion into matmuls and softmax) against
// softmax(scale q k^T + mask) v in double, and the gradients the autodiff
// builds (graph.attention_grad) against central differences of that double
// reference.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace kiln::numeric {
namespace {

using llvm::ArrayRef;
using llvm::formatv;

struct Shapes {
  int64_t batch, queries, keys, heads, headSize;
  double scale;
  int64_t width() const { return heads * headSize; }
};

/// softmax(scale q_h k_h^T + mask) v_h for every head, in double.
Array attention(const Shapes &s, const Array &q, const Array &k, const Array &v,
                const Array &mask) {
  Array out({s.batch, s.queries, s.width()});
  std::vector<double> w(size_t(s.keys));
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t h = 0; h < s.heads; ++h)
      for (int64_t i = 0; i < s.queries; ++i) {
        double top = -INFINITY, total = 0;
        for (int64_t j = 0; j < s.keys; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < s.headSize; ++d)
            dot += q.at({b, i, h * s.headSize + d}) *
                   k.at({b, j, h * s.headSize + d});
          w[j] = s.scale * dot + mask.at({i, j});
          top = std::max(top, w[j]);
        }
        for (int64_t j = 0; j < s.keys; ++j)
          total += w[j] = std::exp(w[j] - top);
        for (int64_t d = 0; d < s.headSize; ++d) {
          double sum = 0;
          for (int64_t j = 0; j < s.keys; ++j)
            sum += w[j] / total * v.at({b, j, h * s.headSize + d});
          out.at({b, i, h * s.headSize + d}) = sum;
        }
      }
  return out;
}

/// d/d(input `wrt`) of sum(attention(q, k, v, mask) * cotangent), by central
/// differences in double.
Array gradient(const Shapes &s, ArrayRef<Array> in, int wrt) {
  std::vector<Array> x(in.begin(), in.end());
  Array grad = x[wrt];
  auto loss = [&] {
    Array y = attention(s, x[0], x[1], x[2], x[3]);
    double total = 0;
    for (int64_t i = 0; i < y.size(); ++i)
      total += y.data[i] * x[4].data[i];
    return total;
  };
  const double h = 1e-5;
  for (int64_t i = 0; i < grad.size(); ++i) {
    double saved = x[wrt].data[i];
    x[wrt].data[i] = saved + h;
    double up = loss();
    x[wrt].data[i] = saved - h;
    double down = loss();
    x[wrt].data[i] = saved;
    grad.data[i] = (up - down) / (2 * h);
  }
  return grad;
}

std::string types(const Shapes &s, llvm::StringRef element) {
  return formatv("tensor<{0}x{1}x{3}x{4}>, tensor<{0}x{2}x{3}x{4}>, "
                 "tensor<{0}x{2}x{3}x{4}>, tensor<{1}x{2}x{4}>",
                 s.batch, s.queries, s.keys, s.width(), element)
      .str();
}

std::string attentionOp(const Shapes &s, llvm::StringRef element) {
  return formatv("graph.attention %arg0, %arg1, %arg2, %arg3 {{heads = {0} : "
                 "i64, scale = {1:e} : f64} : ({2}) -> tensor<{3}x{4}x{5}x{6}>",
                 s.heads, s.scale, types(s, element), s.batch, s.queries,
                 s.width(), element)
      .str();
}

/// @main returns the gradient of sum(attention * %arg4) wrt input `wrt`.
std::string gradientSource(const Shapes &s, int wrt) {
  std::string out =
      formatv("tensor<{0}x{1}x{2}xf32>", s.batch, s.queries, s.width()).str();
  std::string in =
      wrt == 0 ? out
               : formatv("tensor<{0}x{1}x{2}xf32>", s.batch, s.keys, s.width())
                     .str();
  return formatv(
             R"(func.func @loss(%arg0: {0}, %arg1: {1}, %arg2: {1}, %arg3: tensor<{2}x{3}xf32>, %arg4: {0}) -> tensor<f32> {
  %y = {4}
  %p = graph.mul %y, %arg4 : ({0}, {0}) -> {0}
  %l = graph.reduce_sum %p {{axes = array<i64: 0, 1, 2>} : ({0}) -> tensor<f32>
  return %l : tensor<f32>
}
func.func @main(%arg0: {0}, %arg1: {1}, %arg2: {1}, %arg3: tensor<{2}x{3}xf32>, %arg4: {0}) -> {5} {
  %r:2 = graph.value_and_grad @loss(%arg0, %arg1, %arg2, %arg3, %arg4) {{wrt = array<i64: {6}>} : ({0}, {1}, {1}, tensor<{2}x{3}xf32>, {0}) -> (tensor<f32>, {5})
  return %r#1 : {5}
}
)",
             out,
             formatv("tensor<{0}x{1}x{2}xf32>", s.batch, s.keys, s.width())
                 .str(),
             s.queries, s.keys, attentionOp(s, "f32"), wrt == 0 ? out : in, wrt)
      .str();
}

/// Masks drawn as inputs are finite; causalSource() covers -inf.
Fill maskFill() { return Fill::nonZero(0.1, 2.0); }

/// @main(q, k, v) with a constant causal mask (-inf above the diagonal).
std::string causalSource(const Shapes &s) {
  std::string rows;
  for (int64_t i = 0; i < s.queries; ++i) {
    rows += i ? ", [" : "[";
    for (int64_t j = 0; j < s.keys; ++j)
      rows += std::string(j ? ", " : "") + (j <= i ? "0.0" : "0xFF800000");
    rows += "]";
  }
  std::string t =
      formatv("tensor<{0}x{1}x{2}xf32>", s.batch, s.queries, s.width()).str();
  return formatv(R"(func.func @main(%arg0: {0}, %arg1: {0}, %arg2: {0}) -> {0} {
  %arg3 = graph.constant dense<[{1}]> : tensor<{2}x{2}xf32>
  %y = {3}
  return %y : {0}
}
)",
                 t, rows, s.queries, attentionOp(s, "f32"))
      .str();
}

std::vector<Case> cases() {
  const Shapes kSelf{2, 16, 16, 2, 8, 0.35};
  const Shapes kCross{2, 5, 7, 3, 4, 0.5};
  const Shapes kWide{1, 20, 20, 1, 16, 0.25};
  std::vector<Case> all;
  for (auto [name, s] : {std::pair{"self", kSelf}, std::pair{"cross", kCross},
                         std::pair{"one_head", kWide}}) {
    for (llvm::StringRef element : {"f32", "f64"})
      all.push_back({formatv("forward_{0}_{1}", name, element).str(),
                     singleOp(attentionOp(s, element)),
                     [s](ArrayRef<Array> in) {
                       return attention(s, in[0], in[1], in[2], in[3]);
                     },
                     {Fill::nonZero(0.1, 1), Fill::nonZero(0.1, 1),
                      Fill::nonZero(0.1, 1), maskFill()},
                     /*sumsTerms=*/true});
    for (int wrt = 0; wrt < 3; ++wrt)
      all.push_back(
          {formatv("gradient_{0}_wrt_{1}", name, "qkv"[wrt]).str(),
           gradientSource(s, wrt),
           [s, wrt](ArrayRef<Array> in) { return gradient(s, in, wrt); },
           {Fill::nonZero(0.1, 1), Fill::nonZero(0.1, 1), Fill::nonZero(0.1, 1),
            maskFill(), Fill::nonZero(0.1, 1)},
           /*sumsTerms=*/true});
  }
  // The GPU's loops (kiln-gpu-attention-to-loops), run on the CPU, with
  // masks that skip keys (an infinite mask rules out sumsTerms; weights sum
  // to 1, so the results are O(1)). 37 keys and 40 queries are walked in 3
  // parts each (of 13 and 14 rows, the last shorter).
  Fill skipsKeys = Fill::choice({0.0, 0.5, -INFINITY});
  const char *gpuLoops = "inline,kiln-autodiff-value-and-grad,"
                         "func.func(kiln-gpu-attention-to-loops)";
  const Shapes kParts{1, 40, 37, 2, 4, 0.3};
  for (auto [name, s] : {std::pair{"self", kSelf}, std::pair{"cross", kCross},
                         std::pair{"in_parts", kParts}}) {
    all.push_back({formatv("gpu_loops_forward_{0}", name).str(),
                   singleOp(attentionOp(s, "f32")),
                   [s](ArrayRef<Array> in) {
                     return attention(s, in[0], in[1], in[2], in[3]);
                   },
                   {Fill::nonZero(0.1, 1), Fill::nonZero(0.1, 1),
                    Fill::nonZero(0.1, 1), skipsKeys},
                   /*sumsTerms=*/false,
                   /*normalized=*/true,
                   gpuLoops});
    for (int wrt = 0; wrt < 3; ++wrt)
      all.push_back(
          {formatv("gpu_loops_gradient_{0}_wrt_{1}", name, "qkv"[wrt]).str(),
           gradientSource(s, wrt),
           [s, wrt](ArrayRef<Array> in) { return gradient(s, in, wrt); },
           {Fill::nonZero(0.1, 1), Fill::nonZero(0.1, 1), Fill::nonZero(0.1, 1),
            skipsKeys, Fill::nonZero(0.1, 1)},
           /*sumsTerms=*/false,
           /*normalized=*/true,
           gpuLoops});
  }
  // Causal: the CPU kernel, and the GPU's loops, where the first rows'
  // later parts of keys are masked entirely.
  const Shapes kCausal{2, 40, 40, 4, 16, 0.25};
  auto causalReference = [kCausal](ArrayRef<Array> in) {
    Array mask({kCausal.queries, kCausal.keys});
    for (int64_t i = 0; i < kCausal.queries; ++i)
      for (int64_t j = i + 1; j < kCausal.keys; ++j)
        mask.at({i, j}) = -INFINITY;
    return attention(kCausal, in[0], in[1], in[2], mask);
  };
  for (const char *passes : {"", gpuLoops})
    all.push_back(
        {*passes ? "gpu_loops_forward_causal" : "forward_causal_f32",
         causalSource(kCausal),
         causalReference,
         {Fill::nonZero(0.1, 1), Fill::nonZero(0.1, 1), Fill::nonZero(0.1, 1)},
         /*sumsTerms=*/true,
         /*normalized=*/false,
         passes});
  return all;
}

INSTANTIATE_TEST_SUITE_P(Attention, NumericTest, testing::ValuesIn(cases()),
                         caseName);

} // namespace
} // namespace kiln::numeric
