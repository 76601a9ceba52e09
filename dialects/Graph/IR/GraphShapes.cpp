//===- GraphShapes.cpp - Shape rules of the graph ops ---------------------===//

#include "dialects/Graph/IR/GraphShapes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>

namespace kiln::graph {

using llvm::ArrayRef;

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += d == kDynamic ? std::string("?") : std::to_string(d);
  }
  return s + "]";
}

ShapeOrError broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (ArrayRef<int64_t> s : shapes)
    rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    // Walk dimension i counted from the right in every shape.
    int64_t &o = out[rank - 1 - i];
    for (ArrayRef<int64_t> s : shapes) {
      if (i >= s.size())
        continue;
      int64_t d = s[s.size() - 1 - i];
      if (d == 1)
        continue;
      if (o == 1 || o == kDynamic) {
        o = d;
      } else if (d != kDynamic && d != o) {
        std::string list;
        for (auto [k, t] : llvm::enumerate(shapes))
          list += (k ? " and " : "") + formatShape(t);
        return ShapeOrError::failure("shapes " + list +
                                     " cannot be broadcast together");
      }
    }
  }
  return {out, {}};
}

bool broadcastsTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  size_t offset = to.size() - from.size();
  for (auto [i, d] : llvm::enumerate(from)) {
    int64_t t = to[offset + i];
    if (d != 1 && d != t && d != kDynamic && t != kDynamic)
      return false;
  }
  return true;
}

static bool dimsMatch(int64_t a, int64_t b) {
  return a == b || a == kDynamic || b == kDynamic;
}

ShapeOrError matmulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                         bool transposeLhs, bool transposeRhs) {
  if (lhs.size() < 2 || rhs.size() < 2)
    return ShapeOrError::failure("matmul operands need rank 2 or more, got " +
                                 formatShape(lhs) + " and " + formatShape(rhs));
  size_t l = lhs.size(), r = rhs.size();
  int64_t m = transposeLhs ? lhs[l - 1] : lhs[l - 2];
  int64_t kl = transposeLhs ? lhs[l - 2] : lhs[l - 1];
  int64_t kr = transposeRhs ? rhs[r - 1] : rhs[r - 2];
  int64_t n = transposeRhs ? rhs[r - 2] : rhs[r - 1];
  if (!dimsMatch(kl, kr))
    return ShapeOrError::failure(
        "matmul contraction dimensions differ: " + formatShape(lhs) + " @ " +
        formatShape(rhs) + " contracts " + std::to_string(kl) + " with " +
        std::to_string(kr));
  ShapeOrError batch = broadcastShapes({lhs.drop_back(2), rhs.drop_back(2)});
  if (!batch.ok())
    return ShapeOrError::failure("matmul batch dimensions of " +
                                 formatShape(lhs) + " and " + formatShape(rhs) +
                                 " do not broadcast");
  batch.shape.push_back(m);
  batch.shape.push_back(n);
  return batch;
}

ShapeOrError attentionShape(ArrayRef<int64_t> query, ArrayRef<int64_t> key,
                            ArrayRef<int64_t> value, ArrayRef<int64_t> mask,
                            int64_t heads) {
  if (query.size() != 3 || key.size() != 3 || value.size() != 3)
    return ShapeOrError::failure("attention needs a query [B, T, W] and a key "
                                 "and value [B, S, W], got " +
                                 formatShape(query) + ", " + formatShape(key) +
                                 " and " + formatShape(value));
  if (!dimsMatch(key[0], value[0]) || !dimsMatch(key[1], value[1]) ||
      !dimsMatch(key[2], value[2]) || !dimsMatch(query[0], key[0]) ||
      !dimsMatch(query[2], key[2]))
    return ShapeOrError::failure(
        "attention needs a query [B, T, W] and a key and value [B, S, W] of "
        "one batch and width, got " +
        formatShape(query) + ", " + formatShape(key) + " and " +
        formatShape(value));
  if (mask.size() != 2 || !dimsMatch(mask[0], query[1]) ||
      !dimsMatch(mask[1], key[1]))
    return ShapeOrError::failure("the attention mask must be [T, S] = " +
                                 formatShape({query[1], key[1]}) +
                                 " (queries, keys), got " + formatShape(mask));
  if (heads < 1 || (query[2] != kDynamic && query[2] % heads != 0))
    return ShapeOrError::failure("attention needs a number of heads that "
                                 "divides the width " +
                                 std::to_string(query[2]) + ", got " +
                                 std::to_string(heads));
  return {Shape(query.begin(), query.end()), ""};
}

ShapeOrError normalizeAxes(ArrayRef<int64_t> axes, int64_t rank) {
  Shape out;
  llvm::SmallBitVector seen(std::max<int64_t>(rank, 1));
  for (int64_t a : axes) {
    int64_t n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank)
      return ShapeOrError::failure("axis " + std::to_string(a) +
                                   " is out of range for rank " +
                                   std::to_string(rank));
    if (seen.test(n))
      return ShapeOrError::failure("axis " + std::to_string(a) +
                                   " is repeated");
    seen.set(n);
    out.push_back(n);
  }
  return {out, {}};
}

ShapeOrError reduceShape(ArrayRef<int64_t> input, ArrayRef<int64_t> axes,
                         bool keepdims) {
  ShapeOrError normalized = normalizeAxes(axes, input.size());
  if (!normalized.ok())
    return normalized;
  Shape out;
  for (auto [i, d] : llvm::enumerate(input)) {
    bool reduced = llvm::is_contained(normalized.shape, (int64_t)i);
    if (!reduced)
      out.push_back(d);
    else if (keepdims)
      out.push_back(1);
  }
  return {out, {}};
}

ShapeOrError transposeShape(ArrayRef<int64_t> input,
                            ArrayRef<int64_t> permutation) {
  if (permutation.size() != input.size())
    return ShapeOrError::failure(
        "permutation has " + std::to_string(permutation.size()) +
        " entries for a tensor of rank " + std::to_string(input.size()));
  ShapeOrError normalized = normalizeAxes(permutation, input.size());
  if (!normalized.ok())
    return ShapeOrError::failure("invalid permutation: " + normalized.error);
  Shape out;
  for (int64_t p : normalized.shape)
    out.push_back(input[p]);
  return {out, {}};
}

ShapeOrError sliceShape(ArrayRef<int64_t> input, ArrayRef<int64_t> starts,
                        ArrayRef<int64_t> limits, ArrayRef<int64_t> strides) {
  size_t rank = input.size();
  if (starts.size() != rank || limits.size() != rank || strides.size() != rank)
    return ShapeOrError::failure(
        "slice needs one start, limit and stride per dimension of " +
        formatShape(input));
  Shape out;
  for (size_t i = 0; i < rank; ++i) {
    int64_t d = input[i];
    if (strides[i] <= 0)
      return ShapeOrError::failure(
          "slice stride " + std::to_string(strides[i]) + " must be positive");
    if (starts[i] < 0 || limits[i] < starts[i] ||
        (d != kDynamic && limits[i] > d))
      return ShapeOrError::failure(
          "slice [" + std::to_string(starts[i]) + ":" +
          std::to_string(limits[i]) + "] is out of bounds for dimension " +
          std::to_string(i) + " of " + formatShape(input));
    out.push_back((limits[i] - starts[i] + strides[i] - 1) / strides[i]);
  }
  return {out, {}};
}

ShapeOrError concatShape(ArrayRef<ArrayRef<int64_t>> inputs, int64_t axis) {
  if (inputs.empty())
    return ShapeOrError::failure("concat needs at least one input");
  int64_t rank = inputs.front().size();
  ShapeOrError normalized = normalizeAxes({axis}, rank);
  if (!normalized.ok())
    return normalized;
  int64_t a = normalized.shape.front();
  Shape out(inputs.front().begin(), inputs.front().end());
  for (ArrayRef<int64_t> s : inputs.drop_front()) {
    if ((int64_t)s.size() != rank)
      return ShapeOrError::failure("concat inputs " +
                                   formatShape(inputs.front()) + " and " +
                                   formatShape(s) + " differ in rank");
    for (int64_t i = 0; i < rank; ++i) {
      if (i == a)
        continue;
      if (!dimsMatch(s[i], out[i]))
        return ShapeOrError::failure(
            "concat inputs " + formatShape(inputs.front()) + " and " +
            formatShape(s) + " differ in dimension " + std::to_string(i));
    }
    out[a] =
        (out[a] == kDynamic || s[a] == kDynamic) ? kDynamic : out[a] + s[a];
  }
  return {out, {}};
}

ShapeOrError gatherShape(ArrayRef<int64_t> table, ArrayRef<int64_t> indices,
                         int64_t axis) {
  ShapeOrError normalized = normalizeAxes({axis}, table.size());
  if (!normalized.ok())
    return normalized;
  int64_t a = normalized.shape.front();
  Shape out(table.begin(), table.begin() + a);
  out.append(indices.begin(), indices.end());
  out.append(table.begin() + a + 1, table.end());
  return {out, {}};
}

ShapeOrError crossEntropyShape(ArrayRef<int64_t> logits,
                               ArrayRef<int64_t> labels) {
  if (logits.empty())
    return ShapeOrError::failure("logits need a class dimension");
  ArrayRef<int64_t> batch = logits.drop_back();
  bool match = batch.size() == labels.size() &&
               llvm::all_of(llvm::zip(batch, labels), [](auto p) {
                 return dimsMatch(std::get<0>(p), std::get<1>(p));
               });
  if (!match)
    return ShapeOrError::failure("labels " + formatShape(labels) +
                                 " do not match logits " + formatShape(logits) +
                                 " without their class dimension");
  return {Shape(batch.begin(), batch.end()), {}};
}

bool sameElementCount(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (llvm::is_contained(a, kDynamic) || llvm::is_contained(b, kDynamic))
    return true;
  int64_t na = 1, nb = 1;
  for (int64_t d : a)
    na *= d;
  for (int64_t d : b)
    nb *= d;
  return na == nb;
}

} // namespace kiln::graph
