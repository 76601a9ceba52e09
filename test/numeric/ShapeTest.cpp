//===- ShapeTest.cpp - Shape manipulation, gather and one_hot -------------===//

#include "Harness.h"

#include "llvm/ADT/SmallVectorExtras.h"

#include <cmath>

namespace kiln::numeric {
namespace {

using llvm::ArrayRef;

//===----------------------------------------------------------------------===//
// reshape, transpose, broadcast_to
//===----------------------------------------------------------------------===//

const Case kReshapeCases[] = {
    {"f32_4x2x3_to_4x6",
     singleOp("graph.reshape %arg0 : (tensor<4x2x3xf32>) -> tensor<4x6xf32>"),
     [](ArrayRef<Array> in) {
       return ref::reshape(in[0], {4, 6});
     }},
    {"f32_24_to_2x3x4",
     singleOp("graph.reshape %arg0 : (tensor<24xf32>) -> tensor<2x3x4xf32>"),
     [](ArrayRef<Array> in) {
       return ref::reshape(in[0], {2, 3, 4});
     }},
    {"f32_3x70_to_70x3",
     singleOp("graph.reshape %arg0 : (tensor<3x70xf32>) -> tensor<70x3xf32>"),
     [](ArrayRef<Array> in) {
       return ref::reshape(in[0], {70, 3});
     }},
    {"f32_1x784_to_784",
     singleOp("graph.reshape %arg0 : (tensor<1x784xf32>) -> tensor<784xf32>"),
     [](ArrayRef<Array> in) { return ref::reshape(in[0], {784}); }},
    {"f32_scalar_to_1x1",
     singleOp("graph.reshape %arg0 : (tensor<f32>) -> tensor<1x1xf32>"),
     [](ArrayRef<Array> in) {
       return ref::reshape(in[0], {1, 1});
     }},
    {"f32_1x1_to_scalar",
     singleOp("graph.reshape %arg0 : (tensor<1x1xf32>) -> tensor<f32>"),
     [](ArrayRef<Array> in) { return ref::reshape(in[0], {}); }},
    {"i32_2x3x4_to_24",
     singleOp("graph.reshape %arg0 : (tensor<2x3x4xi32>) -> tensor<24xi32>"),
     [](ArrayRef<Array> in) { return ref::reshape(in[0], {24}); }},
    // Reshape between two computations, so that it cannot fold into an
    // argument or result.
    {"f32_between_ops",
     R"(func.func @main(%arg0: tensor<6x35xf32>) -> tensor<3x70xf32> {
  %0 = graph.exp %arg0 : tensor<6x35xf32>
  %1 = graph.reshape %0 : (tensor<6x35xf32>) -> tensor<3x70xf32>
  %2 = graph.neg %1 : tensor<3x70xf32>
  return %2 : tensor<3x70xf32>
})",
     [](ArrayRef<Array> in) {
       Array r = ref::reshape(in[0], {3, 70});
       for (double &x : r.data)
         x = -std::exp(x);
       return r;
     }},
};

INSTANTIATE_TEST_SUITE_P(Reshape, NumericTest, testing::ValuesIn(kReshapeCases),
                         caseName);

const Case kTransposeCases[] = {
    {"f32_2x3x70_perm_2_0_1",
     singleOp("graph.transpose %arg0 {permutation = array<i64: 2, 0, 1>} : "
              "(tensor<2x3x70xf32>) -> tensor<70x2x3xf32>"),
     [](ArrayRef<Array> in) {
       return ref::transpose(in[0], {2, 0, 1});
     }},
    {"f32_3x5x7_perm_1_0_2",
     singleOp("graph.transpose %arg0 {permutation = array<i64: 1, 0, 2>} : "
              "(tensor<3x5x7xf32>) -> tensor<5x3x7xf32>"),
     [](ArrayRef<Array> in) {
       return ref::transpose(in[0], {1, 0, 2});
     }},
    {"f32_4x33x5_perm_0_2_1",
     singleOp("graph.transpose %arg0 {permutation = array<i64: 0, 2, 1>} : "
              "(tensor<4x33x5xf32>) -> tensor<4x5x33xf32>"),
     [](ArrayRef<Array> in) {
       return ref::transpose(in[0], {0, 2, 1});
     }},
    {"f32_2x3x4_perm_m1_0_m2",
     singleOp("graph.transpose %arg0 {permutation = array<i64: -1, 0, -2>} : "
              "(tensor<2x3x4xf32>) -> tensor<4x2x3xf32>"),
     [](ArrayRef<Array> in) {
       return ref::transpose(in[0], {-1, 0, -2});
     }},
    {"i32_5x70_perm_1_0",
     singleOp("graph.transpose %arg0 {permutation = array<i64: 1, 0>} : "
              "(tensor<5x70xi32>) -> tensor<70x5xi32>"),
     [](ArrayRef<Array> in) {
       return ref::transpose(in[0], {1, 0});
     }},
    {"f64_784x3_perm_1_0",
     singleOp("graph.transpose %arg0 {permutation = array<i64: 1, 0>} : "
              "(tensor<784x3xf64>) -> tensor<3x784xf64>"),
     [](ArrayRef<Array> in) {
       return ref::transpose(in[0], {1, 0});
     }},
};

INSTANTIATE_TEST_SUITE_P(Transpose, NumericTest,
                         testing::ValuesIn(kTransposeCases), caseName);

Case broadcastCase(const Shape &from, const Shape &to,
                   llvm::StringRef element = "f32") {
  return {element.str() + "_" + shapeName(from) + "_to_" + shapeName(to),
          singleOp("graph.broadcast_to %arg0 : (" + tensorType(from, element) +
                   ") -> " + tensorType(to, element)),
          [to](ArrayRef<Array> in) { return ref::broadcastTo(in[0], to); }};
}

const Case kBroadcastCases[] = {
    broadcastCase({8}, {4, 8}),
    broadcastCase({4, 1}, {4, 70}),
    broadcastCase({}, {3, 5}),
    broadcastCase({3, 1, 70}, {2, 3, 5, 70}),
    broadcastCase({784}, {2, 784}),
    broadcastCase({1, 33}, {5, 33}, "i32"),
    broadcastCase({7, 1}, {7, 3}, "f64"),
};

INSTANTIATE_TEST_SUITE_P(BroadcastTo, NumericTest,
                         testing::ValuesIn(kBroadcastCases), caseName);

//===----------------------------------------------------------------------===//
// slice, concat
//===----------------------------------------------------------------------===//

struct SliceCase {
  Shape shape, starts, limits, strides;
  llvm::StringRef element = "f32";
};

const SliceCase kSliceCases[] = {
    {{4, 8}, {0, 2}, {4, 8}, {1, 2}},
    {{10, 70}, {1, 3}, {10, 70}, {3, 5}},
    {{3, 5, 70}, {1, 0, 7}, {3, 5, 70}, {1, 2, 1}},
    {{2, 784}, {0, 3}, {2, 784}, {1, 7}},
    {{5, 784}, {2, 16}, {4, 784}, {1, 1}},
    {{6, 9}, {1, 1}, {5, 8}, {2, 3}, "i32"},
    {{7, 33}, {0, 1}, {7, 32}, {3, 1}, "f64"},
};

std::string list(ArrayRef<int64_t> values) {
  std::string s;
  for (int64_t v : values)
    s += (s.empty() ? "" : ", ") + std::to_string(v);
  return s;
}

Case sliceCase(const SliceCase &s) {
  Shape out = ref::slice(Array(s.shape), s.starts, s.limits, s.strides).shape;
  return {s.element.str() + "_" + shapeName(s.shape) + "_from_" +
              shapeName(s.starts) + "_to_" + shapeName(s.limits) + "_by_" +
              shapeName(s.strides),
          singleOp("graph.slice %arg0 {starts = array<i64: " + list(s.starts) +
                   ">, limits = array<i64: " + list(s.limits) +
                   ">, strides = array<i64: " + list(s.strides) + ">} : (" +
                   tensorType(s.shape, s.element) + ") -> " +
                   tensorType(out, s.element)),
          [s](ArrayRef<Array> in) {
            return ref::slice(in[0], s.starts, s.limits, s.strides);
          }};
}

INSTANTIATE_TEST_SUITE_P(Slice, NumericTest,
                         testing::ValuesIn(llvm::map_to_vector(kSliceCases,
                                                               sliceCase)),
                         caseName);

struct ConcatCase {
  std::vector<Shape> inputs;
  int64_t axis;
  llvm::StringRef element = "f32";
};

const ConcatCase kConcatCases[] = {
    {{{2, 70}, {3, 70}, {1, 70}}, 0},           {{{4, 3}, {4, 70}, {4, 5}}, 1},
    {{{2, 3, 33}, {2, 3, 1}, {2, 3, 784}}, -1}, {{{5, 7}, {5, 7}}, 0, "i32"},
    {{{3, 7}, {3, 25}, {3, 2}}, 1, "f64"},
};

Case concatCase(const ConcatCase &c) {
  std::vector<Array> zeros(c.inputs.begin(), c.inputs.end());
  Shape out = ref::concat(zeros, c.axis).shape;
  std::string operands, types, name = c.element.str();
  for (auto [i, shape] : llvm::enumerate(c.inputs)) {
    operands += (i ? ", %arg" : "%arg") + std::to_string(i);
    types += (i ? ", " : "") + tensorType(shape, c.element);
    name += "_" + shapeName(shape);
  }
  name += "_axis_" +
          (c.axis < 0 ? "m" + std::to_string(-c.axis) : std::to_string(c.axis));
  int64_t axis = c.axis;
  return {name,
          singleOp("graph.concat " + operands +
                   " {axis = " + std::to_string(axis) + " : i64} : (" + types +
                   ") -> " + tensorType(out, c.element)),
          [axis](ArrayRef<Array> in) { return ref::concat(in, axis); }};
}

INSTANTIATE_TEST_SUITE_P(Concat, NumericTest,
                         testing::ValuesIn(llvm::map_to_vector(kConcatCases,
                                                               concatCase)),
                         caseName);

//===----------------------------------------------------------------------===//
// gather, one_hot
//===----------------------------------------------------------------------===//

Array gatherReference(ArrayRef<Array> in, int64_t axis) {
  return ref::gather(in[0], in[1], axis);
}

const Case kGatherCases[] = {
    {"embedding_10x70_by_3x5",
     singleOp("graph.gather %arg0, %arg1 : (tensor<10x70xf32>, "
              "tensor<3x5xi32>) -> tensor<3x5x70xf32>"),
     [](ArrayRef<Array> in) { return gatherReference(in, 0); },
     {Fill::nonZero(0.1, 2.0), Fill::range(0, 9)}},
    {"embedding_50x33_by_8_i64",
     singleOp("graph.gather %arg0, %arg1 {axis = 0 : i64} : "
              "(tensor<50x33xf32>, tensor<8xi64>) -> tensor<8x33xf32>"),
     [](ArrayRef<Array> in) { return gatherReference(in, 0); },
     {Fill::nonZero(0.1, 2.0), Fill::range(0, 49)}},
    {"axis_1_4x9x5_by_2x3",
     singleOp("graph.gather %arg0, %arg1 {axis = 1 : i64} : "
              "(tensor<4x9x5xf32>, tensor<2x3xi32>) -> tensor<4x2x3x5xf32>"),
     [](ArrayRef<Array> in) { return gatherReference(in, 1); },
     {Fill::nonZero(0.1, 2.0), Fill::range(0, 8)}},
    {"axis_1_3x70_by_37",
     singleOp("graph.gather %arg0, %arg1 {axis = 1 : i64} : "
              "(tensor<3x70xf32>, tensor<37xi32>) -> tensor<3x37xf32>"),
     [](ArrayRef<Array> in) { return gatherReference(in, 1); },
     {Fill::nonZero(0.1, 2.0), Fill::range(0, 69)}},
    {"axis_m1_2x784_by_5",
     singleOp("graph.gather %arg0, %arg1 {axis = -1 : i64} : "
              "(tensor<2x784xf32>, tensor<5xi32>) -> tensor<2x5xf32>"),
     [](ArrayRef<Array> in) { return gatherReference(in, -1); },
     {Fill::nonZero(0.1, 2.0), Fill::range(0, 783)}},
    {"clamped_10x7_by_6x5",
     singleOp("graph.gather %arg0, %arg1 : (tensor<10x7xf32>, "
              "tensor<6x5xi32>) -> tensor<6x5x7xf32>"),
     [](ArrayRef<Array> in) { return gatherReference(in, 0); },
     {Fill::nonZero(0.1, 2.0), Fill::range(-5, 15)}},
    {"i32_table_20x3_by_70",
     singleOp("graph.gather %arg0, %arg1 : (tensor<20x3xi32>, "
              "tensor<70xi32>) -> tensor<70x3xi32>"),
     [](ArrayRef<Array> in) { return gatherReference(in, 0); },
     {Fill::nonZero(1, 20), Fill::range(0, 19)}},
    {"f64_table_6x33_by_4",
     singleOp("graph.gather %arg0, %arg1 : (tensor<6x33xf64>, "
              "tensor<4xi64>) -> tensor<4x33xf64>"),
     [](ArrayRef<Array> in) { return gatherReference(in, 0); },
     {Fill::nonZero(0.1, 2.0), Fill::range(0, 5)}},
};

INSTANTIATE_TEST_SUITE_P(Gather, NumericTest, testing::ValuesIn(kGatherCases),
                         caseName);

Array oneHotReference(ArrayRef<Array> in, int64_t depth) {
  return ref::oneHot(in[0], depth);
}

const Case kOneHotCases[] = {
    {"i32_7_depth_10",
     singleOp("graph.one_hot %arg0 {depth = 10 : i64} : (tensor<7xi32>) -> "
              "tensor<7x10xf32>"),
     [](ArrayRef<Array> in) { return oneHotReference(in, 10); },
     {Fill::range(0, 9)}},
    {"i32_3x5_depth_70",
     singleOp("graph.one_hot %arg0 {depth = 70 : i64} : (tensor<3x5xi32>) -> "
              "tensor<3x5x70xf32>"),
     [](ArrayRef<Array> in) { return oneHotReference(in, 70); },
     {Fill::range(0, 69)}},
    {"i32_33_depth_6_out_of_range",
     singleOp("graph.one_hot %arg0 {depth = 6 : i64} : (tensor<33xi32>) -> "
              "tensor<33x6xf32>"),
     [](ArrayRef<Array> in) { return oneHotReference(in, 6); },
     {Fill::range(-3, 9)}},
    {"i64_4x2_depth_3_f64",
     singleOp("graph.one_hot %arg0 {depth = 3 : i64} : (tensor<4x2xi64>) -> "
              "tensor<4x2x3xf64>"),
     [](ArrayRef<Array> in) { return oneHotReference(in, 3); },
     {Fill::range(0, 2)}},
};

INSTANTIATE_TEST_SUITE_P(OneHot, NumericTest, testing::ValuesIn(kOneHotCases),
                         caseName);

} // namespace
} // namespace kiln::numeric
