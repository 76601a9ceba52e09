//===- AttentionToLoops.cpp - Fused attention as flash-style GPU loops ----===//
//
// graph.attention and graph.attention_grad become scf.parallel nests that
// the rest of the GPU pipeline maps to threads: flash-style, the [B, H, T, S]
// scores and weights never reach memory. Each thread keeps one query row (or
// one key row) of one head in registers (the head size is unrolled) and
// walks a part of about 16 of the other side's rows (split-K, as in
// flash-decoding: a thread per row alone leaves too few threads to hide
// memory latency), skipping those the mask sets to -inf; a second kernel
// combines the parts in order:
//
//   forward: per (query row, part of the keys) the part's maximum score and
//     the softmax's sum and weighted value rows relative to it; per query
//     row the parts rescaled to the row's maximum, summed, divided;
//   gradient: the same, combined into each row's statistics (maximum,
//     1 / sum, dy . y); per (query row, part of the keys) a part of
//     dq = scale * sum_s p (dy . v_s - dy . y) k_s, then summed; per (key
//     row, part of the queries) parts of dv = sum_t p dy_t and
//     dk = scale * sum_t p (dy_t . v - dy_t . y_t) q_t, then summed.
//
// Every sum runs in a fixed order: no atomics, the same results on every
// run. Blocks are small (64 threads), so even a small batch spreads over
// every multiprocessor. The operands are read through
// contiguous buffers (bufferization.to_buffer, read-only: in place unless an
// operand is a strided view), so addresses have constant strides; the
// results are fresh buffers seen as tensors again (bufferization.to_tensor).
//
//===----------------------------------------------------------------------===//

#include "compiler/GPU/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace kiln::gpu {
#define GEN_PASS_DEF_ATTENTIONTOLOOPS
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

using namespace mlir;
using namespace kiln;

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

/// A walk over `rows` rows is cut into parts of about 16 (at most 16 parts)
/// run by separate threads: a thread per row alone leaves too few threads
/// to hide memory latency at small batches.
int64_t partsOf(int64_t rows) {
  return std::clamp<int64_t>(llvm::divideCeil(rows, 16), 1, 16);
}

/// The loops of one attention op, built at `b`'s insertion point. Buffers
/// are [B, T or S, H*D] (the mask [T, S]); a row of a head is D scalars.
struct AttentionLoops {
  OpBuilder &b;
  Location loc;
  FloatType element;
  int64_t batch, heads, headSize, queries, keys;
  double scale;
  Value query, key, value, mask;

  Value index(int64_t i) { return arith::ConstantIndexOp::create(b, loc, i); }
  Value constant(double x) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(element, x));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }

  /// Buffer [B, R, H*D] -> the D scalars of row `row` of head `head` of
  /// batch element `n`.
  SmallVector<Value> loadRow(Value buffer, Value n, Value row, Value head) {
    Value first = arith::MulIOp::create(b, loc, head, index(headSize));
    SmallVector<Value> values;
    for (int64_t d = 0; d < headSize; ++d) {
      Value column = arith::AddIOp::create(b, loc, first, index(d));
      values.push_back(
          memref::LoadOp::create(b, loc, buffer, ValueRange{n, row, column}));
    }
    return values;
  }
  /// Stores `values` (times `factor` when given) as that row.
  void storeRow(ValueRange values, Value factor, Value buffer, Value n,
                Value row, Value head) {
    Value first = arith::MulIOp::create(b, loc, head, index(headSize));
    for (auto [d, x] : llvm::enumerate(values)) {
      Value column = arith::AddIOp::create(b, loc, first, index(d));
      memref::StoreOp::create(b, loc, factor ? mul(x, factor) : x, buffer,
                              ValueRange{n, row, column});
    }
  }
  Value dot(ValueRange x, ValueRange y) {
    Value sum = mul(x[0], y[0]);
    for (size_t d = 1; d < x.size(); ++d)
      sum = add(sum, mul(x[d], y[d]));
    return sum;
  }
  Value score(ValueRange q, ValueRange k, Value maskValue) {
    return add(mul(dot(q, k), constant(scale)), maskValue);
  }
  /// The softmax weight of (q, k) given its row's maximum and 1 / sum.
  Value weight(ValueRange q, ValueRange k, Value maskValue, Value max,
               Value inverse) {
    return mul(math::ExpOp::create(b, loc, sub(score(q, k, maskValue), max)),
               inverse);
  }

  /// for i in [lo, hi) with `carried` values; `body(i, carried)` returns
  /// their next values.
  template <typename Body>
  SmallVector<Value> loop(Value lo, Value hi, ValueRange carried, Body body) {
    auto forOp = scf::ForOp::create(
        b, loc, lo, hi, index(1), carried,
        [&](OpBuilder &nested, Location, Value i, ValueRange args) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          scf::YieldOp::create(b, loc, body(i, args));
        });
    return forOp.getResults();
  }
  template <typename Body>
  SmallVector<Value> loop(int64_t trips, ValueRange carried, Body body) {
    return loop(index(0), index(trips), carried, body);
  }
  /// `body()`'s values unless `maskValue` is -inf, else `carried` unchanged:
  /// masked pairs cost nothing (a NaN in the mask still propagates).
  template <typename Body>
  SmallVector<Value> unlessMasked(Value maskValue, ValueRange carried,
                                  Body body) {
    Value open = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE,
                                       maskValue, constant(-kInfinity));
    auto ifOp = scf::IfOp::create(
        b, loc, open,
        [&](OpBuilder &nested, Location) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          scf::YieldOp::create(b, loc, body());
        },
        [&](OpBuilder &nested, Location) {
          scf::YieldOp::create(nested, loc, carried);
        });
    return ifOp.getResults();
  }

  /// One thread of a kernel: its row of one head, and which part of the
  /// other side's rows it walks.
  struct Thread {
    Value bh; ///< batch element * heads + head: partial results' index
    Value n, h, row, part;
  };
  /// A thread for each (batch element, head, row < rows, part < parts), in
  /// blocks of 64. A single part has no loop dimension of its own:
  /// canonicalization would drop a unit dimension, and the block size with
  /// it.
  template <typename Body> void perRow(int64_t rows, int64_t parts, Body body) {
    SmallVector<Value> lower{index(0), index(0)},
        upper{index(batch * heads), index(rows)}, steps{index(1), index(1)};
    if (parts > 1) {
      lower.push_back(index(0));
      upper.push_back(index(parts));
      steps.push_back(index(1));
    }
    auto loop = scf::ParallelOp::create(
        b, loc, lower, upper, steps,
        [&](OpBuilder &nested, Location, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          Value headCount = index(heads);
          body(Thread{ivs[0], arith::DivUIOp::create(b, loc, ivs[0], headCount),
                      arith::RemUIOp::create(b, loc, ivs[0], headCount), ivs[1],
                      parts > 1 ? ivs[2] : index(0)});
        });
    loop->setAttr(kiln::gpu::kThreadsPerBlockAttr, b.getI64IntegerAttr(64));
  }
  /// Rows [lo, hi) of `length` in part `part` of parts `per` rows long.
  std::pair<Value, Value> partRange(Value part, int64_t length, int64_t per) {
    Value lo = arith::MulIOp::create(b, loc, part, index(per));
    Value hi = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, lo, index(per)), index(length));
    return {lo, hi};
  }

  /// The largest score of query row `t` over keys [lo, hi) (-inf when all
  /// are masked).
  Value rowMax(ValueRange q, Value n, Value h, Value t, Value lo, Value hi) {
    return loop(lo, hi, constant(-kInfinity), [&](Value s, ValueRange m) {
      Value maskValue = memref::LoadOp::create(b, loc, mask, ValueRange{t, s});
      return unlessMasked(maskValue, m, [&] {
        Value x = score(q, loadRow(key, n, s, h), maskValue);
        return SmallVector<Value>{arith::MaximumFOp::create(b, loc, m[0], x)};
      });
    })[0];
  }
  /// Over keys [lo, hi): the softmax's denominator for query row `t` and
  /// the weighted sum of value rows before dividing by it, both relative to
  /// `max`: {sum, y_0 .. y_D-1}.
  SmallVector<Value> weightedSum(ValueRange q, Value n, Value h, Value t,
                                 Value max, Value lo, Value hi) {
    SmallVector<Value> zeros(headSize + 1, constant(0.0));
    return loop(lo, hi, zeros, [&](Value s, ValueRange sums) {
      Value maskValue = memref::LoadOp::create(b, loc, mask, ValueRange{t, s});
      return unlessMasked(maskValue, sums, [&] {
        Value x = score(q, loadRow(key, n, s, h), maskValue);
        Value p = math::ExpOp::create(b, loc, sub(x, max));
        SmallVector<Value> v = loadRow(value, n, s, h);
        SmallVector<Value> next{add(sums[0], p)};
        for (int64_t d = 0; d < headSize; ++d)
          next.push_back(add(sums[d + 1], mul(p, v[d])));
        return next;
      });
    });
  }

  Value allocate(ArrayRef<int64_t> shape) {
    return memref::AllocOp::create(b, loc, MemRefType::get(shape, element));
  }
  /// Per (batch element * head, row, part): a scalar, or a row of D.
  Value partials(int64_t rows, int64_t parts, bool perColumn = false) {
    SmallVector<int64_t> shape{batch * heads, rows, parts};
    if (perColumn)
      shape.push_back(headSize);
    return allocate(shape);
  }
  Value loadPartial(Value buffer, const Thread &th, Value part,
                    std::optional<int64_t> column = std::nullopt) {
    SmallVector<Value> at{th.bh, th.row, part};
    if (column)
      at.push_back(index(*column));
    return memref::LoadOp::create(b, loc, buffer, at);
  }
  void storePartial(Value x, Value buffer, const Thread &th,
                    std::optional<int64_t> column = std::nullopt) {
    SmallVector<Value> at{th.bh, th.row, th.part};
    if (column)
      at.push_back(index(*column));
    memref::StoreOp::create(b, loc, x, buffer, at);
  }
  /// Rows of D summed over the parts, in order.
  SmallVector<Value> sumParts(Value buffer, const Thread &th, int64_t parts) {
    SmallVector<Value> zeros(headSize, constant(0.0));
    return loop(parts, zeros, [&](Value p, ValueRange acc) {
      SmallVector<Value> next;
      for (int64_t d = 0; d < headSize; ++d)
        next.push_back(add(acc[d], loadPartial(buffer, th, p, d)));
      return next;
    });
  }

  /// The softmax of each query row in parts of keys: each part's maximum,
  /// and its sum and weighted value rows relative to it.
  struct RowParts {
    int64_t parts;
    Value maxima, sums, rows;
  };
  RowParts rowParts() {
    int64_t parts = partsOf(keys), per = llvm::divideCeil(keys, parts);
    RowParts out{parts, partials(queries, parts), partials(queries, parts),
                 partials(queries, parts, /*perColumn=*/true)};
    perRow(queries, parts, [&](const Thread &th) {
      auto [lo, hi] = partRange(th.part, keys, per);
      SmallVector<Value> q = loadRow(query, th.n, th.row, th.h);
      Value max = rowMax(q, th.n, th.h, th.row, lo, hi);
      SmallVector<Value> sums = weightedSum(q, th.n, th.h, th.row, max, lo, hi);
      storePartial(max, out.maxima, th);
      storePartial(sums[0], out.sums, th);
      for (int64_t d = 0; d < headSize; ++d)
        storePartial(sums[d + 1], out.rows, th, d);
    });
    return out;
  }
  /// A query row's parts combined, in order: {its maximum score, the
  /// softmax's sum, y_0 .. y_D-1 before dividing by the sum}. A part whose
  /// keys are all masked weighs exp(-inf) = 0; a row masked everywhere
  /// gives NaN.
  SmallVector<Value> combineRow(const RowParts &parts, const Thread &th) {
    Value max =
        loop(parts.parts, constant(-kInfinity), [&](Value p, ValueRange m) {
          return SmallVector<Value>{arith::MaximumFOp::create(
              b, loc, m[0], loadPartial(parts.maxima, th, p))};
        })[0];
    SmallVector<Value> zeros(headSize + 1, constant(0.0));
    SmallVector<Value> sums =
        loop(parts.parts, zeros, [&](Value p, ValueRange acc) {
          Value weight = math::ExpOp::create(
              b, loc, sub(loadPartial(parts.maxima, th, p), max));
          SmallVector<Value> next{
              add(acc[0], mul(loadPartial(parts.sums, th, p), weight))};
          for (int64_t d = 0; d < headSize; ++d)
            next.push_back(add(acc[d + 1],
                               mul(loadPartial(parts.rows, th, p, d), weight)));
          return next;
        });
    sums.insert(sums.begin(), max);
    return sums;
  }

  Value forward() {
    Value result = allocate({batch, queries, heads * headSize});
    RowParts parts = rowParts();
    perRow(queries, 1, [&](const Thread &th) {
      SmallVector<Value> row = combineRow(parts, th);
      Value inverse = arith::DivFOp::create(b, loc, constant(1.0), row[1]);
      storeRow(ArrayRef(row).drop_front(2), inverse, result, th.n, th.row,
               th.h);
    });
    return result;
  }

  /// {dq, dk, dv} given dy, the gradient of the result.
  SmallVector<Value> gradient(Value resultGrad) {
    Value dq = allocate({batch, queries, heads * headSize});
    Value dk = allocate({batch, keys, heads * headSize});
    Value dv = allocate({batch, keys, heads * headSize});
    // Per query row: its maximum score, 1 / the softmax's sum, dy . y.
    Value maxima = partials(queries, 1), inverses = partials(queries, 1),
          deltas = partials(queries, 1);
    Value one = constant(1.0), scaleValue = constant(scale);

    RowParts parts = rowParts();
    perRow(queries, 1, [&](const Thread &th) {
      SmallVector<Value> row = combineRow(parts, th);
      Value inverse = arith::DivFOp::create(b, loc, one, row[1]);
      SmallVector<Value> dy = loadRow(resultGrad, th.n, th.row, th.h);
      Value delta = mul(dot(dy, ArrayRef(row).drop_front(2)), inverse);
      storePartial(row[0], maxima, th);
      storePartial(inverse, inverses, th);
      storePartial(delta, deltas, th);
    });
    auto stat = [&](Value buffer, Value bh, Value t) -> Value {
      return memref::LoadOp::create(b, loc, buffer,
                                    ValueRange{bh, t, index(0)});
    };

    // dq = scale * sum_s p (dy . v_s - delta) k_s, in parts of keys.
    int64_t keyParts = partsOf(keys),
            keysPer = llvm::divideCeil(keys, keyParts);
    Value dqParts = partials(queries, keyParts, /*perColumn=*/true);
    perRow(queries, keyParts, [&](const Thread &th) {
      auto [lo, hi] = partRange(th.part, keys, keysPer);
      SmallVector<Value> q = loadRow(query, th.n, th.row, th.h);
      SmallVector<Value> dy = loadRow(resultGrad, th.n, th.row, th.h);
      Value max = stat(maxima, th.bh, th.row),
            inverse = stat(inverses, th.bh, th.row),
            delta = stat(deltas, th.bh, th.row);
      SmallVector<Value> zeros(headSize, constant(0.0));
      SmallVector<Value> sum =
          loop(lo, hi, zeros, [&](Value s, ValueRange acc) {
            Value maskValue =
                memref::LoadOp::create(b, loc, mask, ValueRange{th.row, s});
            return unlessMasked(maskValue, acc, [&] {
              SmallVector<Value> k = loadRow(key, th.n, s, th.h);
              Value p = weight(q, k, maskValue, max, inverse);
              Value ds =
                  mul(p, sub(dot(dy, loadRow(value, th.n, s, th.h)), delta));
              SmallVector<Value> next;
              for (int64_t d = 0; d < headSize; ++d)
                next.push_back(add(acc[d], mul(ds, k[d])));
              return next;
            });
          });
      for (int64_t d = 0; d < headSize; ++d)
        storePartial(sum[d], dqParts, th, d);
    });
    perRow(queries, 1, [&](const Thread &th) {
      storeRow(sumParts(dqParts, th, keyParts), scaleValue, dq, th.n, th.row,
               th.h);
    });

    // dk = scale * sum_t p (dy_t . v - delta_t) q_t and dv = sum_t p dy_t,
    // in parts of queries.
    int64_t queryParts = partsOf(queries),
            queriesPer = llvm::divideCeil(queries, queryParts);
    Value dkParts = partials(keys, queryParts, /*perColumn=*/true),
          dvParts = partials(keys, queryParts, /*perColumn=*/true);
    perRow(keys, queryParts, [&](const Thread &th) {
      auto [lo, hi] = partRange(th.part, queries, queriesPer);
      Value s = th.row;
      SmallVector<Value> k = loadRow(key, th.n, s, th.h);
      SmallVector<Value> v = loadRow(value, th.n, s, th.h);
      SmallVector<Value> zeros(2 * headSize, constant(0.0));
      SmallVector<Value> sums =
          loop(lo, hi, zeros, [&](Value t, ValueRange acc) {
            Value maskValue =
                memref::LoadOp::create(b, loc, mask, ValueRange{t, s});
            return unlessMasked(maskValue, acc, [&] {
              SmallVector<Value> q = loadRow(query, th.n, t, th.h);
              SmallVector<Value> dy = loadRow(resultGrad, th.n, t, th.h);
              Value p = weight(q, k, maskValue, stat(maxima, th.bh, t),
                               stat(inverses, th.bh, t));
              Value ds = mul(p, sub(dot(dy, v), stat(deltas, th.bh, t)));
              SmallVector<Value> next;
              for (int64_t d = 0; d < headSize; ++d)
                next.push_back(add(acc[d], mul(ds, q[d])));
              for (int64_t d = 0; d < headSize; ++d)
                next.push_back(add(acc[headSize + d], mul(p, dy[d])));
              return next;
            });
          });
      for (int64_t d = 0; d < headSize; ++d) {
        storePartial(sums[d], dkParts, th, d);
        storePartial(sums[headSize + d], dvParts, th, d);
      }
    });
    perRow(keys, 1, [&](const Thread &th) {
      storeRow(sumParts(dkParts, th, queryParts), scaleValue, dk, th.n, th.row,
               th.h);
      storeRow(sumParts(dvParts, th, queryParts), /*factor=*/nullptr, dv, th.n,
               th.row, th.h);
    });
    return {dq, dk, dv};
  }
};

/// `tensor`'s buffer, contiguous (constant strides make cheap addresses):
/// read in place, or a copy if `tensor` is a strided view.
Value readContiguous(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

LogicalResult lower(Operation *op, int64_t heads, double scale) {
  for (Value operand : op->getOperands())
    if (!cast<RankedTensorType>(operand.getType()).hasStaticShape())
      return op->emitOpError("needs static shapes on the GPU, got ")
             << operand.getType();
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto queryType = cast<RankedTensorType>(op->getOperand(0).getType());
  auto keyType = cast<RankedTensorType>(op->getOperand(1).getType());
  SmallVector<Value> buffers;
  for (Value operand : op->getOperands())
    buffers.push_back(readContiguous(b, loc, operand));
  AttentionLoops loops{b,
                       loc,
                       cast<FloatType>(queryType.getElementType()),
                       queryType.getDimSize(0),
                       heads,
                       queryType.getDimSize(2) / heads,
                       queryType.getDimSize(1),
                       keyType.getDimSize(1),
                       scale,
                       buffers[0],
                       buffers[1],
                       buffers[2],
                       buffers[3]};
  SmallVector<Value> results = isa<graph::AttentionOp>(op)
                                   ? SmallVector<Value>{loops.forward()}
                                   : loops.gradient(buffers[4]);
  for (auto [result, buffer] : llvm::zip(op->getResults(), results))
    result.replaceAllUsesWith(bufferization::ToTensorOp::create(
        b, loc, result.getType(), buffer, /*restrict=*/true,
        /*writable=*/true));
  op->erase();
  return success();
}

struct AttentionToLoopsPass
    : kiln::gpu::impl::AttentionToLoopsBase<AttentionToLoopsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<graph::AttentionOp, graph::AttentionGradOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult lowered =
          TypeSwitch<Operation *, LogicalResult>(op)
              .Case([](graph::AttentionOp forward) {
                return lower(forward, forward.getHeads(),
                             forward.getScale().convertToDouble());
              })
              .Case([](graph::AttentionGradOp gradient) {
                return lower(gradient, gradient.getHeads(),
                             gradient.getScale().convertToDouble());
              });
      if (failed(lowered))
        return signalPassFailure();
    }
  }
};

} // namespace
