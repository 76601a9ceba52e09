//===- LossTest.cpp - Losses, and small models that fuse several ops ------===//

#include "Harness.h"

#include "llvm/ADT/SmallVectorExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace kiln::numeric {
namespace {

using llvm::ArrayRef;
using llvm::formatv;
using llvm::StringRef;
using ref::LossReduction;

//===----------------------------------------------------------------------===//
// softmax_cross_entropy, mse
//===----------------------------------------------------------------------===//

struct CrossEntropyCase {
  Shape logits;
  LossReduction reduction;
  StringRef element = "f32";
  StringRef labelElement = "i32";
  /// Large logits overflow exp unless the maximum is subtracted first.
  Fill fill = Fill::nonZero(0.1, 2.0);
};

const CrossEntropyCase kCrossEntropyCases[] = {
    {{8, 10}, LossReduction::Mean},
    {{8, 10}, LossReduction::Sum},
    {{8, 10}, LossReduction::None},
    {{2, 3, 70}, LossReduction::Mean},
    {{2, 3, 70}, LossReduction::Sum},
    {{2, 3, 70}, LossReduction::None},
    {{4, 784}, LossReduction::Mean},
    {{37, 5}, LossReduction::None, "f32", "i64"},
    // Per-example losses of well-separated logits are -log(1 - tiny), which
    // f32 cannot resolve; their mean is dominated by the large ones.
    {{5, 7}, LossReduction::Mean, "f32", "i32", Fill::nonZero(50.0, 100.0)},
    {{8, 10}, LossReduction::Sum, "f64"},
    {{2, 3, 70}, LossReduction::None, "f64", "i64"},
};

StringRef reductionName(LossReduction r) {
  switch (r) {
  case LossReduction::Mean:
    return "mean";
  case LossReduction::Sum:
    return "sum";
  case LossReduction::None:
    return "none";
  }
  llvm_unreachable("unknown reduction");
}

Case crossEntropyCase(const CrossEntropyCase &c) {
  Shape labels(c.logits.begin(), c.logits.end() - 1);
  Shape out = c.reduction == LossReduction::None ? labels : Shape{};
  // The attribute holds the enum's value; mean, the default, is left out.
  std::string attr = c.reduction == LossReduction::Mean
                         ? ""
                         : formatv(" {{reduction = {0} : i64}",
                                   c.reduction == LossReduction::Sum ? 1 : 2)
                               .str();
  LossReduction reduction = c.reduction;
  return {formatv("{0}_{1}_{2}_labels_{3}{4}", c.element, shapeName(c.logits),
                  reductionName(c.reduction), c.labelElement,
                  c.fill.lo > 2.0 ? "_large" : ""),
          singleOp(formatv("graph.softmax_cross_entropy %arg0, %arg1{0} : "
                           "({1}, {2}) -> {3}",
                           attr, tensorType(c.logits, c.element),
                           tensorType(labels, c.labelElement),
                           tensorType(out, c.element))
                       .str()),
          [reduction](ArrayRef<Array> in) {
            return ref::softmaxCrossEntropy(in[0], in[1], reduction);
          },
          {c.fill, Fill::range(0, c.logits.back() - 1)}};
}

INSTANTIATE_TEST_SUITE_P(SoftmaxCrossEntropy, NumericTest,
                         testing::ValuesIn(llvm::map_to_vector(
                             kCrossEntropyCases, crossEntropyCase)),
                         caseName);

Case mseCase(const Shape &shape, StringRef element) {
  std::string type = tensorType(shape, element);
  return {formatv("{0}_{1}", element, shapeName(shape)),
          singleOp(formatv("graph.mse %arg0, %arg1 : ({0}, {0}) -> {1}", type,
                           tensorType({}, element))
                       .str()),
          [](ArrayRef<Array> in) { return ref::mse(in[0], in[1]); }};
}

const Case kMseCases[] = {
    mseCase({64, 1}, "f32"),    mseCase({3, 70}, "f32"),
    mseCase({784}, "f32"),      mseCase({2, 3, 33}, "f32"),
    mseCase({2, 3, 33}, "f64"),
};

INSTANTIATE_TEST_SUITE_P(Mse, NumericTest, testing::ValuesIn(kMseCases),
                         caseName);

//===----------------------------------------------------------------------===//
// Small models: producers and consumers of different kinds fused together
//===----------------------------------------------------------------------===//

Array addRelu(const Array &x, const Array &bias) {
  return ref::map({x, bias},
                  [](ArrayRef<double> v) { return ref::relu(v[0] + v[1]); });
}

Array addBias(const Array &x, const Array &bias) {
  return ref::map({x, bias}, [](ArrayRef<double> v) { return v[0] + v[1]; });
}

/// logits of a 70-33-10 MLP: in = {x, w1, b1, w2, b2, ...}.
Array mlpLogits(ArrayRef<Array> in) {
  Array hidden = addRelu(ref::matmul(in[0], in[1]), in[2]);
  return addBias(ref::matmul(hidden, in[3]), in[4]);
}

const Fill kValues = Fill::nonZero(0.1, 2.0);
/// Weights scaled by about 1/sqrt(fan-in), as initialized for training, keep
/// the logits O(1). Logits of magnitude 100 would carry f32 rounding errors
/// of 1e-5 before any arithmetic, and softmax turns absolute errors in the
/// logits into relative errors of its results.
const Fill kWeights1 = Fill::nonZero(0.01, 0.25);
const Fill kWeights2 = Fill::nonZero(0.02, 0.35);

constexpr const char *kMlpBody = R"(
  %0 = graph.matmul %x, %w1 : (tensor<4x70xf32>, tensor<70x33xf32>) -> tensor<4x33xf32>
  %1 = graph.add %0, %b1 : (tensor<4x33xf32>, tensor<33xf32>) -> tensor<4x33xf32>
  %2 = graph.relu %1 : tensor<4x33xf32>
  %3 = graph.matmul %2, %w2 : (tensor<4x33xf32>, tensor<33x10xf32>) -> tensor<4x10xf32>
  %logits = graph.add %3, %b2 : (tensor<4x10xf32>, tensor<10xf32>) -> tensor<4x10xf32>)";

constexpr const char *kMlpArgs =
    "%x: tensor<4x70xf32>, %w1: tensor<70x33xf32>, %b1: tensor<33xf32>, "
    "%w2: tensor<33x10xf32>, %b2: tensor<10xf32>";

const Case kModelCases[] = {
    {"mlp_softmax",
     std::string("func.func @main(") + kMlpArgs + ") -> tensor<4x10xf32> {" +
         kMlpBody + R"(
  %p = graph.softmax %logits : tensor<4x10xf32>
  return %p : tensor<4x10xf32>
})",
     [](ArrayRef<Array> in) { return ref::softmax(mlpLogits(in)); },
     {kValues, kWeights1, kValues, kWeights2, kValues}},
    {"mlp_cross_entropy",
     std::string("func.func @main(") + kMlpArgs +
         ", %labels: tensor<4xi32>) -> tensor<f32> {" + kMlpBody + R"(
  %loss = graph.softmax_cross_entropy %logits, %labels : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return %loss : tensor<f32>
})",
     [](ArrayRef<Array> in) {
       return ref::softmaxCrossEntropy(mlpLogits(in), in[5]);
     },
     {kValues, kWeights1, kValues, kWeights2, kValues, Fill::range(0, 9)}},
    {"attention",
     R"(func.func @main(%q: tensor<2x5x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x70xf32>) -> tensor<2x5x70xf32> {
  %s = graph.matmul %q, %k {transpose_rhs} : (tensor<2x5x8xf32>, tensor<2x6x8xf32>) -> tensor<2x5x6xf32>
  %p = graph.softmax %s : tensor<2x5x6xf32>
  %o = graph.matmul %p, %v : (tensor<2x5x6xf32>, tensor<2x6x70xf32>) -> tensor<2x5x70xf32>
  return %o : tensor<2x5x70xf32>
})",
     [](ArrayRef<Array> in) {
       return ref::matmul(ref::softmax(ref::matmul(in[0], in[1], false, true)),
                          in[2]);
     },
     // Positive values, so that the weighted sums of %v cannot cancel.
     {kValues, kValues, Fill::positive()}},
};

INSTANTIATE_TEST_SUITE_P(Model, NumericTest, testing::ValuesIn(kModelCases),
                         caseName);

//===----------------------------------------------------------------------===//
// Label smoothing, masked labels, binary cross-entropy, accuracy
//===----------------------------------------------------------------------===//

const Case kMoreLossCases[] = {
    {"cross_entropy_label_smoothing",
     singleOp("graph.softmax_cross_entropy %arg0, %arg1 {label_smoothing = "
              "0.1 : f64} : (tensor<6x10xf32>, tensor<6xi32>) -> tensor<f32>"),
     [](ArrayRef<Array> in) {
       return ref::softmaxCrossEntropy(in[0], in[1], LossReduction::Mean, 0.1);
     },
     {kValues, Fill::range(0, 9)}},
    // Labels -1 and 10 mask their rows; the mean is over the others.
    {"cross_entropy_masked_mean",
     singleOp("graph.softmax_cross_entropy %arg0, %arg1 : (tensor<3x7x10xf32>, "
              "tensor<3x7xi32>) -> tensor<f32>"),
     [](ArrayRef<Array> in) { return ref::softmaxCrossEntropy(in[0], in[1]); },
     {kValues, Fill::range(-1, 10)}},
    {"cross_entropy_masked_none_smoothed",
     singleOp("graph.softmax_cross_entropy %arg0, %arg1 reduction = none "
              "{label_smoothing = 0.2 : f64} : (tensor<8x5xf32>, "
              "tensor<8xi32>) -> tensor<8xf32>"),
     [](ArrayRef<Array> in) {
       return ref::softmaxCrossEntropy(in[0], in[1], LossReduction::None, 0.2);
     },
     {kValues, Fill::range(-1, 5)}},
    {"bce_with_logits_mean",
     singleOp("graph.bce_with_logits %arg0, %arg1 : (tensor<16x3xf32>, "
              "tensor<16x3xf32>) -> tensor<f32>"),
     [](ArrayRef<Array> in) { return ref::bceWithLogits(in[0], in[1]); },
     {Fill::nonZero(0.1, 8.0), Fill::choice({0.0, 1.0, 0.25})}},
    {"bce_with_logits_none",
     singleOp("graph.bce_with_logits %arg0, %arg1 reduction = none : "
              "(tensor<70xf32>, tensor<70xf32>) -> tensor<70xf32>"),
     [](ArrayRef<Array> in) {
       return ref::bceWithLogits(in[0], in[1], LossReduction::None);
     },
     {Fill::nonZero(0.1, 8.0), Fill::choice({0.0, 1.0})}},
    {"accuracy",
     singleOp("graph.accuracy %arg0, %arg1 : (tensor<64x10xf32>, "
              "tensor<64xi32>) -> tensor<f32>"),
     [](ArrayRef<Array> in) { return ref::accuracy(in[0], in[1]); },
     // Few distinct logits: ties, where the first maximum counts.
     {Fill::choice({-1.0, 0.5, 2.0}), Fill::range(0, 9)}},
    {"accuracy_masked",
     singleOp("graph.accuracy %arg0, %arg1 : (tensor<4x8x5xf32>, "
              "tensor<4x8xi32>) -> tensor<f32>"),
     [](ArrayRef<Array> in) { return ref::accuracy(in[0], in[1]); },
     {kValues, Fill::range(-1, 5)}},
};

INSTANTIATE_TEST_SUITE_P(MoreLosses, NumericTest,
                         testing::ValuesIn(kMoreLossCases), caseName);

} // namespace
} // namespace kiln::numeric
