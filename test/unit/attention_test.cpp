//===- attention_test.cpp - The runtime's fused attention kernels ---------===//
//
// Checks kiln_attention_f32 against softmax(scale q k^T + mask) v computed
// in double, and kiln_attention_grad_f32 against central differences of
// that double reference, for self- and cross-attention, causal and
// arbitrary masks, and strided views; plus thread-count independence.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

/// A [n0, n1, n2] float tensor stored inside a larger buffer with padded
/// rows (row stride n2 + pad) and a leading offset, to exercise strides.
struct Tensor3 {
  int64_t n0, n1, n2, pad;
  std::vector<float> storage;
  Tensor3(int64_t n0, int64_t n1, int64_t n2, int64_t pad = 0)
      : n0(n0), n1(n1), n2(n2), pad(pad),
        storage(size_t(3 + n0 * n1 * (n2 + pad)), 0.f) {}
  float &at(int64_t i, int64_t j, int64_t k) {
    return storage[3 + (i * n1 + j) * (n2 + pad) + k];
  }
  kiln_memref3d_f32 memref() {
    return {storage.data(),
            storage.data(),
            3,
            {n0, n1, n2},
            {n1 * (n2 + pad), n2 + pad, 1}};
  }
  void randomize(uint64_t stream) {
    std::vector<float> values(size_t(n0 * n1 * n2));
    kiln_rng_uniform_f32(7, stream, 0, values.data(), values.size(), -1, 1);
    for (int64_t i = 0, x = 0; i < n0; ++i)
      for (int64_t j = 0; j < n1; ++j)
        for (int64_t k = 0; k < n2; ++k)
          at(i, j, k) = values[x++];
  }
};

struct Case {
  int64_t batch, queries, keys, heads, headSize;
  float scale;
  std::vector<float> mask; // [queries, keys]
  int64_t pad = 0;
};

std::vector<float> causalMask(int64_t n) {
  std::vector<float> mask(size_t(n * n), 0.f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      mask[i * n + j] = kNegInf;
  return mask;
}

/// Finite random values with about a third of the entries -inf, but never a
/// whole row.
std::vector<float> arbitraryMask(int64_t rows, int64_t cols) {
  std::vector<float> mask(size_t(rows * cols));
  kiln_rng_uniform_f32(7, 99, 0, mask.data(), mask.size(), -1, 1);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      if ((i * 7 + j * 3) % 3 == 0 && j != i % cols)
        mask[i * cols + j] = kNegInf;
  return mask;
}

/// The attention output in double, from the float inputs.
std::vector<double> reference(const Case &c, Tensor3 &q, Tensor3 &k,
                              Tensor3 &v) {
  int64_t W = c.heads * c.headSize;
  std::vector<double> out(size_t(c.batch * c.queries * W));
  std::vector<double> w(size_t(c.keys));
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t h = 0; h < c.heads; ++h)
      for (int64_t i = 0; i < c.queries; ++i) {
        double top = -INFINITY;
        for (int64_t j = 0; j < c.keys; ++j) {
          double s = 0;
          for (int64_t d = 0; d < c.headSize; ++d)
            s += double(q.at(b, i, h * c.headSize + d)) *
                 k.at(b, j, h * c.headSize + d);
          w[j] = s * c.scale + c.mask[i * c.keys + j];
          top = std::max(top, w[j]);
        }
        double total = 0;
        for (int64_t j = 0; j < c.keys; ++j)
          total += w[j] = std::exp(w[j] - top);
        for (int64_t d = 0; d < c.headSize; ++d) {
          double o = 0;
          for (int64_t j = 0; j < c.keys; ++j)
            o += w[j] / total * v.at(b, j, h * c.headSize + d);
          out[(b * c.queries + i) * W + h * c.headSize + d] = o;
        }
      }
  return out;
}

struct Inputs {
  Tensor3 q, k, v, cotangent;
  explicit Inputs(const Case &c)
      : q(c.batch, c.queries, c.heads * c.headSize, c.pad),
        k(c.batch, c.keys, c.heads * c.headSize, c.pad),
        v(c.batch, c.keys, c.heads * c.headSize, c.pad),
        cotangent(c.batch, c.queries, c.heads * c.headSize) {
    q.randomize(1);
    k.randomize(2);
    v.randomize(3);
    cotangent.randomize(4);
  }
};

kiln_memref2d_f32 maskMemref(Case &c) {
  return {c.mask.data(), c.mask.data(), 0, {c.queries, c.keys}, {c.keys, 1}};
}

Tensor3 forward(Case &c, Inputs &in) {
  Tensor3 out(c.batch, c.queries, c.heads * c.headSize);
  kiln_memref3d_f32 mq = in.q.memref(), mk = in.k.memref(), mv = in.v.memref(),
                    mo = out.memref();
  kiln_memref2d_f32 mm = maskMemref(c);
  _mlir_ciface_kiln_attention_f32(&mq, &mk, &mv, &mm, &mo, c.heads, c.scale);
  return out;
}

struct Grads {
  Tensor3 dq, dk, dv;
};

Grads backward(Case &c, Inputs &in) {
  int64_t W = c.heads * c.headSize;
  Grads g{Tensor3(c.batch, c.queries, W), Tensor3(c.batch, c.keys, W),
          Tensor3(c.batch, c.keys, W)};
  kiln_memref3d_f32 mq = in.q.memref(), mk = in.k.memref(), mv = in.v.memref(),
                    mg = in.cotangent.memref(), dq = g.dq.memref(),
                    dk = g.dk.memref(), dv = g.dv.memref();
  kiln_memref2d_f32 mm = maskMemref(c);
  _mlir_ciface_kiln_attention_grad_f32(&mq, &mk, &mv, &mm, &mg, &dq, &dk, &dv,
                                       c.heads, c.scale);
  return g;
}

void expectForwardMatches(Case c) {
  Inputs in(c);
  Tensor3 out = forward(c, in);
  std::vector<double> want = reference(c, in.q, in.k, in.v);
  int64_t W = c.heads * c.headSize;
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t i = 0; i < c.queries; ++i)
      for (int64_t x = 0; x < W; ++x)
        ASSERT_NEAR(out.at(b, i, x), want[(b * c.queries + i) * W + x], 2e-6)
            << "at (" << b << ", " << i << ", " << x << ")";
}

/// L = sum(out * cotangent) in double.
double loss(const Case &c, Inputs &in) {
  std::vector<double> out = reference(c, in.q, in.k, in.v);
  double total = 0;
  int64_t W = c.heads * c.headSize;
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t i = 0; i < c.queries; ++i)
      for (int64_t x = 0; x < W; ++x)
        total += out[(b * c.queries + i) * W + x] * in.cotangent.at(b, i, x);
  return total;
}

/// Each gradient element against (L(x + h) - L(x - h)) / 2h of the double
/// reference, perturbing the float input by h = 1e-2 (exact in float:
/// inputs are multiples of 2^-24, and 1e-2 rounds once on both sides).
void expectGradientsMatch(Case c) {
  Inputs in(c);
  Grads g = backward(c, in);
  struct Wrt {
    Tensor3 *input, *grad;
    const char *name;
  } wrts[] = {{&in.q, &g.dq, "q"}, {&in.k, &g.dk, "k"}, {&in.v, &g.dv, "v"}};
  for (Wrt &wrt : wrts)
    for (int64_t b = 0; b < wrt.input->n0; ++b)
      for (int64_t r = 0; r < wrt.input->n1; ++r)
        for (int64_t x = 0; x < wrt.input->n2; ++x) {
          float &value = wrt.input->at(b, r, x);
          float saved = value;
          value = saved + 1e-2f;
          double up = loss(c, in);
          double step = double(value) - saved;
          value = saved - 1e-2f;
          double down = loss(c, in);
          step += saved - double(value);
          value = saved;
          double want = (up - down) / step;
          ASSERT_NEAR(wrt.grad->at(b, r, x), want, 2e-4 * (1 + std::abs(want)))
              << "d" << wrt.name << " at (" << b << ", " << r << ", " << x
              << ")";
        }
}

Case selfAttention() { return {2, 64, 64, 4, 16, 0.25f, causalMask(64)}; }
// Eight or more batch elements: a task runs every head of one of them.
Case manyBatches() { return {9, 24, 24, 2, 16, 0.3f, causalMask(24)}; }
Case crossAttention() { return {2, 5, 7, 2, 3, 0.7f, arbitraryMask(5, 7)}; }
Case stridedViews() {
  Case c{1, 9, 9, 3, 5, 0.4f, causalMask(9)};
  c.pad = 4;
  return c;
}

TEST(Attention, CausalSelfAttentionMatchesReference) {
  expectForwardMatches(selfAttention());
}

TEST(Attention, ManyBatchesMatchReference) {
  expectForwardMatches(manyBatches());
}

TEST(Attention, CrossAttentionWithArbitraryMaskMatchesReference) {
  expectForwardMatches(crossAttention());
}

TEST(Attention, StridedViewsMatchReference) {
  expectForwardMatches(stridedViews());
}

TEST(Attention, GradientsMatchFiniteDifferences) {
  expectGradientsMatch(crossAttention());
  expectGradientsMatch(stridedViews());
  Case small = {1, 16, 16, 2, 8, 0.35f, causalMask(16)};
  expectGradientsMatch(small);
  Case batches = {8, 6, 6, 1, 16, 0.5f, causalMask(6)};
  expectGradientsMatch(batches);
}

void expectThreadCountsAgree(Case c) {
  Inputs in(c);
  kiln_gemm_set_threads(1);
  Tensor3 one = forward(c, in);
  Grads gone = backward(c, in);
  kiln_gemm_set_threads(2);
  Tensor3 two = forward(c, in);
  Grads gtwo = backward(c, in);
  kiln_gemm_set_threads(1);
  EXPECT_EQ(one.storage, two.storage);
  EXPECT_EQ(gone.dq.storage, gtwo.dq.storage);
  EXPECT_EQ(gone.dk.storage, gtwo.dk.storage);
  EXPECT_EQ(gone.dv.storage, gtwo.dv.storage);
}

TEST(Attention, ResultsDoNotDependOnTheThreadCount) {
  expectThreadCountsAgree(selfAttention());
  expectThreadCountsAgree(manyBatches());
}

TEST(Attention, ARowMaskedEverywhereIsNaN) {
  Case c = crossAttention();
  for (int64_t j = 0; j < c.keys; ++j)
    c.mask[2 * c.keys + j] = kNegInf;
  Inputs in(c);
  Tensor3 out = forward(c, in);
  EXPECT_TRUE(std::isnan(out.at(0, 2, 0)));
  EXPECT_FALSE(std::isnan(out.at(0, 1, 0)));
}

} // namespace
