//===- attention.cpp - Fused multi-head attention on the CPU --------------===//
//
// A task per batch element, running its heads one after the other (per
// head when there are few batch elements): each head's rows of q, k, v and
// the results are read and written in place where the tensor's rows are
// contiguous and need no padding, else through small contiguous tiles; K^T
// (and V^T for the gradient) are tiles built through 16 x 16 register
// transposes, with no transpose pass over memory. Then four query rows at a
// time compute their scores, softmax and weighted sum in registers,
// touching only the 16-key blocks whose mask is finite. The backward pass
// recomputes the weights instead of storing [B, H, T, S] of them. Every
// reduction runs in a fixed order (16 lanes, then a fixed tree), so results are
// the same for any thread count; they are not bitwise those of the unfused
// graph.
//
//===----------------------------------------------------------------------===//

#include "thread_pool.h"
#include "vector_clones.h"

#include "kiln/runtime.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

// The inner loops are plain C++ that the compiler vectorizes over keys or
// over the head's columns, for each vector unit (vector_clones.h).

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
/// Keys are processed in blocks of this many (one AVX-512 register): tiles
/// and the mask are padded to a multiple of it.
constexpr int64_t kBlock = 16;

/// Query rows processed together, so that each key's rows of k and v (and
/// its gradients) are loaded once per block rather than once per row.
constexpr int64_t kRows = 4;

int64_t roundUp(int64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

/// The shapes of one call, its mask as a dense [T, S padded] array (-inf in
/// the padding), and the blocks of keys each query may see.
struct Problem {
  int64_t batch, queries, keys, paddedKeys, heads, headSize;
  float scale;
  std::vector<float> mask;
  /// Query i attends to keys in [first[i], last[i]), multiples of kBlock:
  /// outside, its mask is -inf. first == last: masked everywhere.
  std::vector<int32_t> first, last;
};

Problem problemOf(const kiln_memref3d_f32 *q, const kiln_memref3d_f32 *k,
                  const kiln_memref2d_f32 *mask, int64_t heads, float scale) {
  Problem p{q->sizes[0], q->sizes[1],
            k->sizes[1], roundUp(k->sizes[1]),
            heads,       q->sizes[2] / heads,
            scale,       {},
            {},          {}};
  int64_t T = p.queries, S = p.keys, Sp = p.paddedKeys;
  // Rows up to a multiple of kRows: the last block's padding queries see
  // nothing.
  p.mask.assign(size_t((T + kRows - 1) / kRows * kRows * Sp), kNegInf);
  p.first.resize(T);
  p.last.resize(T);
  for (int64_t i = 0; i < T; ++i) {
    int64_t lo = S, hi = 0;
    for (int64_t j = 0; j < S; ++j) {
      float m = mask->aligned[mask->offset + i * mask->strides[0] +
                              j * mask->strides[1]];
      p.mask[i * Sp + j] = m;
      if (m != kNegInf) {
        lo = std::min(lo, j);
        hi = j + 1;
      }
    }
    p.first[i] = static_cast<int32_t>(lo < hi ? lo / kBlock * kBlock : 0);
    p.last[i] = static_cast<int32_t>(lo < hi ? roundUp(hi) : 0);
  }
  return p;
}

float *element(const kiln_memref3d_f32 *m, int64_t b, int64_t row,
               int64_t column) {
  return m->aligned + m->offset + b * m->strides[0] + row * m->strides[1] +
         column * m->strides[2];
}

/// Sixteen floats (one AVX-512 register; two or four on narrower units),
/// loaded and stored at any float alignment.
typedef float Vec __attribute__((vector_size(64), aligned(4), may_alias));
typedef int32_t IntVec __attribute__((vector_size(64)));
static_assert(sizeof(Vec) == kBlock * sizeof(float));

KILN_INLINE Vec load(const float *x) {
  return *reinterpret_cast<const Vec *>(x);
}
KILN_INLINE void store(float *x, Vec v) { *reinterpret_cast<Vec *>(x) = v; }
KILN_INLINE Vec splat(float x) { return Vec{} + x; }

/// Copies a row of D floats in registers: a libc call would cost more than
/// the copy of a head's row.
KILN_INLINE void copyRow(const float *from, float *to, int64_t D) {
  int64_t d = 0;
  for (; d + kBlock <= D; d += kBlock)
    store(to + d, load(from + d));
  for (; d < D; ++d)
    to[d] = from[d];
}

/// Transposes the 16 x 16 block held in r[0..16) (row i in r[i]) in
/// registers: interleave pairs of floats, then of float pairs, then gather
/// 128-bit lanes.
KILN_INLINE void transpose16(Vec r[kBlock]) {
  Vec t[kBlock], u[kBlock];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 0, 16, 1, 17, 4,
                                       20, 5, 21, 8, 24, 9, 25, 12, 28, 13, 29);
    t[2 * i + 1] =
        __builtin_shufflevector(r[2 * i], r[2 * i + 1], 2, 18, 3, 19, 6, 22, 7,
                                23, 10, 26, 11, 27, 14, 30, 15, 31);
  }
  for (int i = 0; i < 4; ++i)
    for (int h = 0; h < 2; ++h) {
      Vec a = t[4 * i + h], b = t[4 * i + h + 2];
      u[4 * i + 2 * h] = __builtin_shufflevector(
          a, b, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
      u[4 * i + 2 * h + 1] = __builtin_shufflevector(
          a, b, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
    }
  // Lane L of u[4i + j] now holds rows 4i..4i+3 of column 4L + j.
  for (int j = 0; j < 4; ++j) {
    Vec a = __builtin_shufflevector(u[j], u[4 + j], 0, 1, 2, 3, 16, 17, 18, 19,
                                    4, 5, 6, 7, 20, 21, 22, 23);
    Vec b = __builtin_shufflevector(u[8 + j], u[12 + j], 0, 1, 2, 3, 16, 17, 18,
                                    19, 4, 5, 6, 7, 20, 21, 22, 23);
    Vec c = __builtin_shufflevector(u[j], u[4 + j], 8, 9, 10, 11, 24, 25, 26,
                                    27, 12, 13, 14, 15, 28, 29, 30, 31);
    Vec d = __builtin_shufflevector(u[8 + j], u[12 + j], 8, 9, 10, 11, 24, 25,
                                    26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    r[j] = __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19,
                                   20, 21, 22, 23);
    r[4 + j] = __builtin_shufflevector(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24,
                                       25, 26, 27, 28, 29, 30, 31);
    r[8 + j] = __builtin_shufflevector(c, d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18,
                                       19, 20, 21, 22, 23);
    r[12 + j] = __builtin_shufflevector(c, d, 8, 9, 10, 11, 12, 13, 14, 15, 24,
                                        25, 26, 27, 28, 29, 30, 31);
  }
}

/// Head h of batch b of `m` as a tile of `rows` rows (zeros past the
/// tensor's): [rows, D], or [D, rows] if transposed.
KILN_INLINE void loadHead(const kiln_memref3d_f32 *m, int64_t b, int64_t h,
                          int64_t D, int64_t rows, float *tile,
                          bool transposed) {
  int64_t present = std::min(rows, m->sizes[1]), stride = m->strides[2];
  int64_t r = 0;
  // Transposed, contiguous rows: 16 x 16 blocks through registers.
  if (transposed && stride == 1 && D % kBlock == 0)
    for (; r + kBlock <= present; r += kBlock)
      for (int64_t c = 0; c < D; c += kBlock) {
        Vec block[kBlock];
        for (int64_t i = 0; i < kBlock; ++i)
          block[i] = load(element(m, b, r + i, h * D + c));
        transpose16(block);
        for (int64_t i = 0; i < kBlock; ++i)
          store(tile + (c + i) * rows + r, block[i]);
      }
  for (; r < present; ++r) {
    const float *src = element(m, b, r, h * D);
    if (transposed)
      for (int64_t d = 0; d < D; ++d)
        tile[d * rows + r] = src[d * stride];
    else if (stride == 1)
      copyRow(src, tile + r * D, D);
    else
      for (int64_t d = 0; d < D; ++d)
        tile[r * D + d] = src[d * stride];
  }
  for (int64_t r = present; r < rows; ++r)
    for (int64_t d = 0; d < D; ++d)
      tile[transposed ? d * rows + r : r * D + d] = 0.f;
}

/// Rows of one head: row r's D floats at data + r * stride.
struct HeadView {
  const float *data;
  int64_t stride;
  const float *row(int64_t r) const { return data + r * stride; }
};

/// Head h of batch b of `m` as `rows` rows (rows past the tensor's must be
/// zero): read in place when its rows are contiguous and all there, else
/// copied into `tile`.
KILN_INLINE HeadView headRows(const kiln_memref3d_f32 *m, int64_t b, int64_t h,
                              int64_t D, int64_t rows, float *tile) {
  if (m->strides[2] == 1 && m->sizes[1] == rows)
    return {element(m, b, 0, h * D), m->strides[1]};
  loadHead(m, b, h, D, rows, tile, /*transposed=*/false);
  return {tile, D};
}

/// Where `rows` result rows of one head go: in place when the tensor's rows
/// are contiguous and all there, else into `tile`, stored by finishHead.
struct OutView {
  float *data;
  int64_t stride;
  bool inPlace;
  float *row(int64_t r) const { return data + r * stride; }
};
KILN_INLINE OutView headOutput(const kiln_memref3d_f32 *m, int64_t b, int64_t h,
                               int64_t D, int64_t rows, float *tile) {
  if (m->strides[2] == 1 && m->sizes[1] == rows)
    return {element(m, b, 0, h * D), m->strides[1], true};
  return {tile, D, false};
}

KILN_INLINE void storeHead(const kiln_memref3d_f32 *m, int64_t b, int64_t h,
                           int64_t D, const float *tile) {
  for (int64_t r = 0; r < m->sizes[1]; ++r) {
    float *dst = element(m, b, r, h * D);
    if (m->strides[2] == 1)
      copyRow(tile + r * D, dst, D);
    else
      for (int64_t d = 0; d < D; ++d)
        dst[d * m->strides[2]] = tile[r * D + d];
  }
}

typedef float Half __attribute__((vector_size(32)));
typedef float Quarter __attribute__((vector_size(16)));

/// Reduces the 16 lanes of v with `op` as a fixed tree (halves, quarters,
/// pairs): short dependency chains, same order on every run.
template <typename Op> KILN_INLINE float lanesReduce(Vec v, Op op) {
  Half a = op(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7),
              __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15));
  Quarter b = op(__builtin_shufflevector(a, a, 0, 1, 2, 3),
                 __builtin_shufflevector(a, a, 4, 5, 6, 7));
  return op(op(b[0], b[2]), op(b[1], b[3]));
}
KILN_INLINE float lanesSum(Vec v) {
  return lanesReduce(v, [](auto x, auto y) { return x + y; });
}
KILN_INLINE float lanesMax(Vec v) {
  return lanesReduce(v, [](auto x, auto y) { return x > y ? x : y; });
}

/// exp(x) lane by lane for x <= 0 (Cephes' expf polynomial after range
/// reduction, within 2 ulp); 0 below -87, where the float result would be
/// denormal, and at -inf.
KILN_INLINE Vec expNonPositive(Vec x) {
  Vec low = splat(-87.f);
  Vec clamped = x < low ? low : x;
  Vec n = (clamped * 1.44269504f + 12582912.f) - 12582912.f; // round(x/ln2)
  Vec r = clamped - n * 0.693359375f + n * 2.12194440e-4f;
  Vec p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  IntVec bits = (__builtin_convertvector(n, IntVec) + 127) << 23;
  Vec result = p * reinterpret_cast<Vec &>(bits);
  return x < low ? Vec{} : result;
}

/// For each block of 16 keys j0 in [lo, hi) (block multiples), the sums
/// sum_d x[r, d] tile[d, j0 + l] for the block's rows r (x is kRows rows of
/// D from `first`, tile [D, Sp]), kept in kRows registers and handed to
/// done(j0, sums).
template <typename Done>
KILN_INLINE void rowsTimesTile(HeadView x, int64_t first, const float *tile,
                               int64_t D, int64_t Sp, int64_t lo, int64_t hi,
                               Done done) {
  for (int64_t j0 = lo; j0 < hi; j0 += kBlock) {
    Vec acc[kRows] = {};
    for (int64_t d = 0; d < D; ++d) {
      Vec t = load(tile + d * Sp + j0);
      for (int64_t r = 0; r < kRows; ++r)
        acc[r] += x.row(first + r)[d] * t;
    }
    done(j0, acc);
  }
}

/// Scratch tiles of one task, reused across calls on the same thread.
float *scratch(size_t floats) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < floats)
    buffer.resize(floats);
  return buffer.data();
}

/// Rows of a head accumulated over keys, one per query of a block: in
/// registers when kD is a multiple of kBlock, else in memory.
template <int64_t kD> struct HeadRows {
  static constexpr int64_t kVecs = kD / kBlock;
  Vec v[kRows][kVecs];
  HeadRows(int64_t) : v{} {}
  /// row r += a[r * stride] x for every row.
  KILN_INLINE void add(const float *a, int64_t stride, const float *x) {
    for (int64_t c = 0; c < kVecs; ++c) {
      Vec xc = load(x + c * kBlock);
      for (int64_t r = 0; r < kRows; ++r)
        v[r][c] += a[r * stride] * xc;
    }
  }
  /// Rows [first, first + rows) of `out`.
  void storeTo(const OutView &out, int64_t first, int64_t rows) const {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < kVecs; ++c)
        store(out.row(first + r) + c * kBlock, v[r][c]);
  }
};
template <> struct HeadRows<0> {
  int64_t D;
  std::vector<float> v;
  explicit HeadRows(int64_t D) : D(D), v(size_t(kRows * D), 0.f) {}
  void add(const float *a, int64_t stride, const float *x) {
    for (int64_t r = 0; r < kRows; ++r)
      for (int64_t d = 0; d < D; ++d)
        v[r * D + d] += a[r * stride] * x[d];
  }
  void storeTo(const OutView &out, int64_t first, int64_t rows) const {
    for (int64_t r = 0; r < rows; ++r)
      std::copy(v.begin() + r * D, v.begin() + (r + 1) * D, out.row(first + r));
  }
};

/// The rows [kRows, D] of a block's queries (or their output gradients),
/// from row `first` of `rows`, held in registers when kD is a multiple of
/// kBlock, for addTo.
template <int64_t kD> struct BlockRows {
  static constexpr int64_t kVecs = kD / kBlock;
  Vec v[kRows][kVecs];
  BlockRows(HeadView rows, int64_t first, int64_t) {
    for (int64_t r = 0; r < kRows; ++r)
      for (int64_t c = 0; c < kVecs; ++c)
        v[r][c] = load(rows.row(first + r) + c * kBlock);
  }
  /// x += sum_r a[r * stride] row r.
  KILN_INLINE void addTo(float *x, const float *a, int64_t stride) const {
    for (int64_t c = 0; c < kVecs; ++c) {
      Vec acc = load(x + c * kBlock);
      for (int64_t r = 0; r < kRows; ++r)
        acc += a[r * stride] * v[r][c];
      store(x + c * kBlock, acc);
    }
  }
};
template <> struct BlockRows<0> {
  HeadView rows;
  int64_t first, D;
  BlockRows(HeadView rows, int64_t first, int64_t D)
      : rows(rows), first(first), D(D) {}
  void addTo(float *x, const float *a, int64_t stride) const {
    for (int64_t r = 0; r < kRows; ++r)
      for (int64_t d = 0; d < D; ++d)
        x[d] += a[r * stride] * rows.row(first + r)[d];
  }
};

void fillNaN(float *x, int64_t D) {
  std::fill(x, x + D, std::numeric_limits<float>::quiet_NaN());
}

/// The keys any query of the block [i0, i0 + kRows) sees.
std::pair<int64_t, int64_t> blockKeys(const Problem &p, int64_t i0) {
  int64_t lo = p.paddedKeys, hi = 0;
  for (int64_t i = i0; i < std::min(i0 + kRows, p.queries); ++i)
    if (p.first[i] < p.last[i]) {
      lo = std::min<int64_t>(lo, p.first[i]);
      hi = std::max<int64_t>(hi, p.last[i]);
    }
  return {lo, hi};
}

/// The attention weights of the block's queries [i0, i0 + kRows) as rows
/// w[r * Sp + j] over the keys [lo, hi): scale q k^T + mask, then a softmax
/// per row. Keys a query does not see (-inf in the mask, the padding
/// included) get 0, and so do queries that see none.
KILN_INLINE void blockWeights(const Problem &p, int64_t i0, HeadView qs,
                              const float *kt, int64_t lo, int64_t hi,
                              float *w) {
  int64_t D = p.headSize, Sp = p.paddedKeys;
  const float *mask = p.mask.data() + i0 * Sp;
  Vec top[kRows];
  for (int64_t r = 0; r < kRows; ++r)
    top[r] = splat(kNegInf);
  rowsTimesTile(qs, i0, kt, D, Sp, lo, hi,
                [&](int64_t j0, Vec *acc) KILN_LAMBDA_INLINE {
                  for (int64_t r = 0; r < kRows; ++r) {
                    Vec s = acc[r] * p.scale + load(mask + r * Sp + j0);
                    store(w + r * Sp + j0, s);
                    top[r] = s > top[r] ? s : top[r];
                  }
                });
  for (int64_t r = 0; r < kRows; ++r) {
    float *row = w + r * Sp;
    float most = lanesMax(top[r]);
    most = most == kNegInf ? 0.f : most; // sees nothing: every weight 0
    Vec total{};
    for (int64_t j0 = lo; j0 < hi; j0 += kBlock) {
      Vec e = expNonPositive(load(row + j0) - most);
      store(row + j0, e);
      total += e;
    }
    float sum = lanesSum(total), inverse = sum > 0 ? 1.f / sum : 0.f;
    for (int64_t j0 = lo; j0 < hi; j0 += kBlock)
      store(row + j0, load(row + j0) * inverse);
  }
}

template <int64_t kD>
KILN_VECTOR_CLONES void
forwardHead(const Problem &p, const kiln_memref3d_f32 *q,
            const kiln_memref3d_f32 *k, const kiln_memref3d_f32 *v,
            const kiln_memref3d_f32 *out, int64_t b, int64_t h) {
  int64_t T = p.queries, Sp = p.paddedKeys, D = p.headSize;
  int64_t Tp = (T + kRows - 1) / kRows * kRows;
  float *qt = scratch(2 * Tp * D + 2 * Sp * D + kRows * Sp);
  float *kt = qt + Tp * D, *vt = kt + Sp * D, *o = vt + Sp * D, *w = o + Tp * D;
  // Rows past T (the last block's padding) are zero.
  HeadView qs = headRows(q, b, h, D, Tp, qt);
  loadHead(k, b, h, D, Sp, kt, /*transposed=*/true);
  HeadView vs = headRows(v, b, h, D, Sp, vt);
  OutView os = headOutput(out, b, h, D, T, o);
  for (int64_t i0 = 0; i0 < T; i0 += kRows) {
    auto [lo, hi] = blockKeys(p, i0);
    blockWeights(p, i0, qs, kt, lo, hi, w);
    HeadRows<kD> rows(D);
    for (int64_t j = lo; j < hi; ++j)
      rows.add(w + j, Sp, vs.row(j));
    rows.storeTo(os, i0, std::min(kRows, T - i0));
  }
  for (int64_t i = 0; i < T; ++i)
    if (p.first[i] == p.last[i])
      fillNaN(os.row(i), D);
  if (!os.inPlace)
    storeHead(out, b, h, D, o);
}

template <int64_t kD>
KILN_VECTOR_CLONES void
backwardHead(const Problem &p, const kiln_memref3d_f32 *q,
             const kiln_memref3d_f32 *k, const kiln_memref3d_f32 *v,
             const kiln_memref3d_f32 *dout, const kiln_memref3d_f32 *dq,
             const kiln_memref3d_f32 *dk, const kiln_memref3d_f32 *dv,
             int64_t b, int64_t h) {
  int64_t T = p.queries, Sp = p.paddedKeys, D = p.headSize;
  int64_t Tp = (T + kRows - 1) / kRows * kRows;
  float *qt = scratch(3 * Tp * D + 5 * Sp * D + 2 * kRows * Sp);
  float *gt = qt + Tp * D, *gq = gt + Tp * D, *kt = gq + Tp * D,
        *kr = kt + Sp * D, *vt = kr + Sp * D, *gk = vt + Sp * D,
        *gv = gk + Sp * D, *w = gv + Sp * D, *ds = w + kRows * Sp;
  // Rows past T (the last block's padding) are zero: they add nothing.
  HeadView qs = headRows(q, b, h, D, Tp, qt);
  HeadView gs = headRows(dout, b, h, D, Tp, gt);
  loadHead(k, b, h, D, Sp, kt, /*transposed=*/true);
  HeadView ks = headRows(k, b, h, D, Sp, kr);
  loadHead(v, b, h, D, Sp, vt, /*transposed=*/true);
  // dk and dv accumulate over the padded keys: in place only without
  // padding.
  OutView dqs = headOutput(dq, b, h, D, T, gq),
          dks = headOutput(dk, b, h, D, Sp, gk),
          dvs = headOutput(dv, b, h, D, Sp, gv);
  for (const OutView *sums : {&dks, &dvs})
    for (int64_t j = 0; j < Sp; ++j)
      std::fill(sums->row(j), sums->row(j) + D, 0.f);
  for (int64_t i0 = 0; i0 < T; i0 += kRows) {
    auto [lo, hi] = blockKeys(p, i0);
    blockWeights(p, i0, qs, kt, lo, hi, w);
    // ds = the gradient of the scaled scores, w (dw - sum_j w dw) scale,
    // with dw_j = dout_i . v_j (0 where w is).
    rowsTimesTile(gs, i0, vt, D, Sp, lo, hi,
                  [&](int64_t j0, Vec *acc) KILN_LAMBDA_INLINE {
                    for (int64_t r = 0; r < kRows; ++r)
                      store(ds + r * Sp + j0, acc[r]);
                  });
    for (int64_t r = 0; r < kRows; ++r) {
      float *wr = w + r * Sp, *dr = ds + r * Sp;
      Vec products{};
      for (int64_t j0 = lo; j0 < hi; j0 += kBlock)
        products += load(wr + j0) * load(dr + j0);
      float delta = lanesSum(products);
      for (int64_t j0 = lo; j0 < hi; j0 += kBlock)
        store(dr + j0, load(wr + j0) * (load(dr + j0) - delta) * p.scale);
    }
    HeadRows<kD> rows(D);
    BlockRows<kD> queryRows(qs, i0, D), gradRows(gs, i0, D);
    for (int64_t j = lo; j < hi; ++j) {
      rows.add(ds + j, Sp, ks.row(j));
      queryRows.addTo(dks.row(j), ds + j, Sp);
      gradRows.addTo(dvs.row(j), w + j, Sp);
    }
    rows.storeTo(dqs, i0, std::min(kRows, T - i0));
  }
  for (int64_t i = 0; i < T; ++i)
    if (p.first[i] == p.last[i])
      fillNaN(dqs.row(i), D);
  auto finish = [&](const OutView &sums, const kiln_memref3d_f32 *m,
                    const float *tile) {
    if (!sums.inPlace)
      storeHead(m, b, h, D, tile);
  };
  finish(dqs, dq, gq);
  finish(dks, dk, gk);
  finish(dvs, dv, gv);
}

/// Runs task(b, h) for every batch and head on the pool, with the kernel
/// for the problem's head size.
template <template <int64_t> class Kernel, typename... Args>
void forEachHead(const Problem &p, Args... args) {
  auto run = [&](auto kernel) {
    // A task runs every head of one batch element: tasks running at the
    // same time then write different rows (the heads of a row share its
    // cache lines), and each row's lines are reused across heads. With few
    // batch elements, a task is one head.
    bool byBatch = p.batch >= 8;
    kiln::parallelFor(byBatch ? p.batch : p.batch * p.heads, [&](int64_t task) {
      if (!byBatch)
        return kernel(p, args..., task / p.heads, task % p.heads);
      for (int64_t h = 0; h < p.heads; ++h)
        kernel(p, args..., task, h);
    });
  };
  switch (p.headSize) {
  case 16:
    return run(Kernel<16>{});
  case 32:
    return run(Kernel<32>{});
  case 64:
    return run(Kernel<64>{});
  default:
    return run(Kernel<0>{});
  }
}

// By reference: a copy of the Problem (its mask) per head would cost more
// than the head.
template <int64_t kD> struct Forward {
  template <typename... Args>
  void operator()(const Problem &p, const Args &...args) const {
    forwardHead<kD>(p, args...);
  }
};
template <int64_t kD> struct Backward {
  template <typename... Args>
  void operator()(const Problem &p, const Args &...args) const {
    backwardHead<kD>(p, args...);
  }
};

} // namespace

extern "C" {

void _mlir_ciface_kiln_attention_f32(const kiln_memref3d_f32 *q,
                                     const kiln_memref3d_f32 *k,
                                     const kiln_memref3d_f32 *v,
                                     const kiln_memref2d_f32 *mask,
                                     const kiln_memref3d_f32 *out,
                                     int64_t heads, float scale) {
  forEachHead<Forward>(problemOf(q, k, mask, heads, scale), q, k, v, out);
}

void _mlir_ciface_kiln_attention_grad_f32(
    const kiln_memref3d_f32 *q, const kiln_memref3d_f32 *k,
    const kiln_memref3d_f32 *v, const kiln_memref2d_f32 *mask,
    const kiln_memref3d_f32 *dout, const kiln_memref3d_f32 *dq,
    const kiln_memref3d_f32 *dk, const kiln_memref3d_f32 *dv, int64_t heads,
    float scale) {
  forEachHead<Backward>(problemOf(q, k, mask, heads, scale), q, k, v, dout, dq,
                        dk, dv);
}

} // extern "C"
