//===- AttentionToLoops.cpp - Fused attention as one thread per row -------===//
//
// graph.attention and graph.attention_grad become scf.parallel nests that
// the rest of the GPU pipeline maps to threads: flash-style, the [B, H, T, S]
// scores and weights never reach memory. Each thread keeps one query row (or
// one key row) of one head in registers (the head size is unrolled) and
// walks the other side's rows, skipping those the mask sets to -inf:
//
//   forward, a thread per (batch, head, query row): the row's maximum score,
//     then the softmax's sum and the weighted sum of value rows, divided at
//     the end;
//   gradient, kernel 1, a thread per query row: the same two walks, the
//     row's statistics (maximum, 1 / sum, dy . y) stored for kernel 2, and a
//     third walk for dq = scale * sum_s p (dy . v_s - dy . y) k_s;
//   gradient, kernel 2, a thread per key row: dv = sum_t p dy_t and
//     dk = scale * sum_t p (dy_t . v - dy_t . y_t) q_t, from the statistics.
//
// Every sum runs in a fixed order inside one thread: no atomics, the same
// results on every run. Threads work long, so blocks are small (64 threads)
// and spread over every multiprocessor. The operands are read through
// contiguous buffers (bufferization.to_buffer, read-only: in place unless an
// operand is a strided view), so addresses have constant strides; the
// results are fresh buffers seen as tensors again (bufferization.to_tensor).
//
//===----------------------------------------------------------------------===//

#include "compiler/GPU/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include "llvm/ADT/TypeSwitch.h"

#include <limits>

namespace kiln::gpu {
#define GEN_PASS_DEF_ATTENTIONTOLOOPS
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

using namespace mlir;
using namespace kiln;

namespace {

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

  /// for i in [0, trips) with `carried` values; `body(i, carried)` returns
  /// their next values.
  template <typename Body>
  SmallVector<Value> loop(int64_t trips, ValueRange carried, Body body) {
    auto forOp = scf::ForOp::create(
        b, loc, index(0), index(trips), index(1), carried,
        [&](OpBuilder &nested, Location, Value i, ValueRange args) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          scf::YieldOp::create(b, loc, body(i, args));
        });
    return forOp.getResults();
  }
  /// `body()`'s values unless `maskValue` is -inf, else `carried` unchanged:
  /// masked pairs cost nothing (a NaN in the mask still propagates).
  template <typename Body>
  SmallVector<Value> unlessMasked(Value maskValue, ValueRange carried,
                                  Body body) {
    Value open = arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::UNE, maskValue,
        constant(-std::numeric_limits<double>::infinity()));
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
  /// A thread for each (batch element, head, row < rows), in blocks of 64.
  template <typename Body> void perRow(int64_t rows, Body body) {
    auto loop = scf::ParallelOp::create(
        b, loc, ValueRange{index(0), index(0), index(0)},
        ValueRange{index(batch), index(heads), index(rows)},
        ValueRange{index(1), index(1), index(1)},
        [&](OpBuilder &nested, Location, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          body(ivs[0], ivs[1], ivs[2]);
        });
    loop->setAttr(kiln::gpu::kThreadsPerBlockAttr, b.getI64IntegerAttr(64));
  }

  /// The largest score of query row `t` (-inf when all are masked).
  Value rowMax(ValueRange q, Value n, Value h, Value t) {
    Value lowest = constant(-std::numeric_limits<double>::infinity());
    return loop(keys, lowest, [&](Value s, ValueRange m) {
      Value maskValue = memref::LoadOp::create(b, loc, mask, ValueRange{t, s});
      return unlessMasked(maskValue, m, [&] {
        Value x = score(q, loadRow(key, n, s, h), maskValue);
        return SmallVector<Value>{arith::MaximumFOp::create(b, loc, m[0], x)};
      });
    })[0];
  }
  /// The softmax's denominator for query row `t` and the weighted sum of
  /// value rows before dividing by it: {sum, y_0 .. y_D-1}.
  SmallVector<Value> weightedSum(ValueRange q, Value n, Value h, Value t,
                                 Value max) {
    SmallVector<Value> zeros(headSize + 1, constant(0.0));
    return loop(keys, zeros, [&](Value s, ValueRange sums) {
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

  Value forward() {
    Value result = allocate({batch, queries, heads * headSize});
    perRow(queries, [&](Value n, Value h, Value t) {
      SmallVector<Value> q = loadRow(query, n, t, h);
      SmallVector<Value> sums = weightedSum(q, n, h, t, rowMax(q, n, h, t));
      Value inverse = arith::DivFOp::create(b, loc, constant(1.0), sums[0]);
      storeRow(ArrayRef(sums).drop_front(), inverse, result, n, t, h);
    });
    return result;
  }

  /// {dq, dk, dv} given dy, the gradient of the result.
  SmallVector<Value> gradient(Value resultGrad) {
    Value dq = allocate({batch, queries, heads * headSize});
    Value dk = allocate({batch, keys, heads * headSize});
    Value dv = allocate({batch, keys, heads * headSize});
    // Per query row: its maximum score, 1 / the softmax's sum, dy . y.
    Value maxima = allocate({batch, heads, queries});
    Value inverses = allocate({batch, heads, queries});
    Value deltas = allocate({batch, heads, queries});
    Value one = constant(1.0), scaleValue = constant(scale);

    perRow(queries, [&](Value n, Value h, Value t) {
      SmallVector<Value> q = loadRow(query, n, t, h);
      SmallVector<Value> dy = loadRow(resultGrad, n, t, h);
      Value max = rowMax(q, n, h, t);
      SmallVector<Value> sums = weightedSum(q, n, h, t, max);
      Value inverse = arith::DivFOp::create(b, loc, one, sums[0]);
      Value delta = mul(dot(dy, ArrayRef(sums).drop_front()), inverse);
      Value stats[][2] = {{max, maxima}, {inverse, inverses}, {delta, deltas}};
      for (auto [x, buffer] : stats)
        memref::StoreOp::create(b, loc, x, buffer, ValueRange{n, h, t});
      SmallVector<Value> zeros(headSize, constant(0.0));
      SmallVector<Value> sum = loop(keys, zeros, [&](Value s, ValueRange acc) {
        Value maskValue =
            memref::LoadOp::create(b, loc, mask, ValueRange{t, s});
        return unlessMasked(maskValue, acc, [&] {
          SmallVector<Value> k = loadRow(key, n, s, h);
          Value p =
              mul(math::ExpOp::create(b, loc, sub(score(q, k, maskValue), max)),
                  inverse);
          Value ds = mul(p, sub(dot(dy, loadRow(value, n, s, h)), delta));
          SmallVector<Value> next;
          for (int64_t d = 0; d < headSize; ++d)
            next.push_back(add(acc[d], mul(ds, k[d])));
          return next;
        });
      });
      storeRow(sum, scaleValue, dq, n, t, h);
    });

    perRow(keys, [&](Value n, Value h, Value s) {
      SmallVector<Value> k = loadRow(key, n, s, h);
      SmallVector<Value> v = loadRow(value, n, s, h);
      SmallVector<Value> zeros(2 * headSize, constant(0.0));
      SmallVector<Value> sums =
          loop(queries, zeros, [&](Value t, ValueRange acc) {
            Value maskValue =
                memref::LoadOp::create(b, loc, mask, ValueRange{t, s});
            return unlessMasked(maskValue, acc, [&] {
              SmallVector<Value> q = loadRow(query, n, t, h);
              SmallVector<Value> dy = loadRow(resultGrad, n, t, h);
              auto stat = [&](Value buffer) -> Value {
                return memref::LoadOp::create(b, loc, buffer,
                                              ValueRange{n, h, t});
              };
              Value p =
                  mul(math::ExpOp::create(
                          b, loc, sub(score(q, k, maskValue), stat(maxima))),
                      stat(inverses));
              Value ds = mul(p, sub(dot(dy, v), stat(deltas)));
              SmallVector<Value> next;
              for (int64_t d = 0; d < headSize; ++d)
                next.push_back(add(acc[d], mul(ds, q[d])));
              for (int64_t d = 0; d < headSize; ++d)
                next.push_back(add(acc[headSize + d], mul(p, dy[d])));
              return next;
            });
          });
      ArrayRef<Value> all(sums);
      storeRow(all.take_front(headSize), scaleValue, dk, n, s, h);
      storeRow(all.drop_front(headSize), /*factor=*/nullptr, dv, n, s, h);
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
