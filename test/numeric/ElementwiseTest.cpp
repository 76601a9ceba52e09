//===- ElementwiseTest.cpp - Constants, casts and elementwise ops ---------===//
//
// Shapes mix small odd sizes with innermost dimensions above the CPU
// pipeline's 32-wide vector tiles (70 = 35 tiles of 2, 784 = 49 tiles of 16).
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace kiln::numeric {
namespace {

using llvm::ArrayRef;
using llvm::formatv;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Binary ops with broadcasting
//===----------------------------------------------------------------------===//

struct BinaryOp {
  const char *name;
  double (*fn)(double, double);
  bool floatOnly;
  /// For pow: bases drawn strictly positive.
  bool positiveLhs;
};

const BinaryOp kBinaryOps[] = {
    {"add", [](double a, double b) { return a + b; }, false, false},
    {"sub", [](double a, double b) { return a - b; }, false, false},
    {"mul", [](double a, double b) { return a * b; }, false, false},
    {"div", [](double a, double b) { return a / b; }, false, false},
    {"max", [](double a, double b) { return std::max(a, b); }, false, false},
    {"min", [](double a, double b) { return std::min(a, b); }, false, false},
    {"pow", [](double a, double b) { return std::pow(a, b); }, true, true},
};

struct BroadcastPair {
  Shape lhs, rhs;
};

const BroadcastPair kSameShape = {{3, 70}, {3, 70}};
const BroadcastPair kRowVector = {{4, 8}, {8}};
const BroadcastPair kOuter = {{4, 1}, {1, 8}};
const BroadcastPair kScalarRhs = {{5, 33}, {}};
const BroadcastPair kScalarLhs = {{}, {2, 784}};
const BroadcastPair kMiddle = {{3, 1, 70}, {5, 1}};
const BroadcastPair kTailVector = {{7, 784}, {784}};

Case binaryCase(const BinaryOp &op, StringRef element,
                const BroadcastPair &shapes) {
  Shape out = ref::broadcastShape({shapes.lhs, shapes.rhs});
  std::string source = singleOp(
      formatv("graph.{0} %arg0, %arg1 : ({1}, {2}) -> {3}", op.name,
              tensorType(shapes.lhs, element), tensorType(shapes.rhs, element),
              tensorType(out, element))
          .str());
  bool integral = element.starts_with("i");
  auto fn = op.fn;
  Reference reference = [fn, integral](ArrayRef<Array> in) {
    return ref::map(in, [&](ArrayRef<double> x) {
      // Integer division truncates towards zero, as arith.divsi does.
      double r = fn(x[0], x[1]);
      return integral ? std::trunc(r) : r;
    });
  };
  std::vector<Fill> fills;
  if (op.positiveLhs)
    fills = {Fill::positive()};
  return {formatv("{0}_{1}_{2}_{3}", op.name, element, shapeName(shapes.lhs),
                  shapeName(shapes.rhs)),
          source, reference, fills};
}

std::vector<Case> binaryCases() {
  std::vector<Case> cases;
  for (const BinaryOp &op : kBinaryOps) {
    for (const BroadcastPair &shapes :
         {kSameShape, kRowVector, kOuter, kScalarRhs, kScalarLhs, kMiddle,
          kTailVector})
      cases.push_back(binaryCase(op, "f32", shapes));
    for (const BroadcastPair &shapes : {kRowVector, kMiddle})
      cases.push_back(binaryCase(op, "f64", shapes));
    if (op.floatOnly)
      continue;
    for (const BroadcastPair &shapes : {kSameShape, kOuter, kScalarRhs})
      cases.push_back(binaryCase(op, "i32", shapes));
    cases.push_back(binaryCase(op, "i64", kMiddle));
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Binary, NumericTest, testing::ValuesIn(binaryCases()),
                         caseName);

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

struct UnaryOp {
  const char *name;
  double (*fn)(double);
  bool floatOnly;
  /// Inputs drawn strictly positive (log, sqrt, rsqrt).
  bool positive;
};

const UnaryOp kUnaryOps[] = {
    {"neg", [](double x) { return -x; }, false, false},
    {"abs", [](double x) { return std::abs(x); }, false, false},
    {"exp", [](double x) { return std::exp(x); }, true, false},
    {"log", [](double x) { return std::log(x); }, true, true},
    {"log1p", [](double x) { return std::log1p(x); }, true, true},
    {"sqrt", [](double x) { return std::sqrt(x); }, true, true},
    {"rsqrt", ref::rsqrt, true, true},
    {"tanh", [](double x) { return std::tanh(x); }, true, false},
    {"sigmoid", ref::sigmoid, true, false},
    {"relu", ref::relu, true, false},
    {"erf", [](double x) { return std::erf(x); }, true, false},
    {"gelu", ref::gelu, true, false},
};

Case unaryCase(const UnaryOp &op, StringRef element, const Shape &shape) {
  auto fn = op.fn;
  std::vector<Fill> fills;
  if (op.positive)
    fills = {Fill::positive()};
  return {formatv("{0}_{1}_{2}", op.name, element, shapeName(shape)),
          singleOp(formatv("graph.{0} %arg0 : {1}", op.name,
                           tensorType(shape, element))
                       .str()),
          [fn](ArrayRef<Array> in) {
            return ref::map(in, [&](ArrayRef<double> x) { return fn(x[0]); });
          },
          fills};
}

std::vector<Case> unaryCases() {
  std::vector<Case> cases;
  for (const UnaryOp &op : kUnaryOps) {
    for (const Shape &shape :
         {Shape{7}, Shape{3, 70}, Shape{2, 784}, Shape{2, 3, 33}, Shape{}})
      cases.push_back(unaryCase(op, "f32", shape));
    cases.push_back(unaryCase(op, "f64", {3, 70}));
    if (!op.floatOnly)
      for (const Shape &shape : {Shape{3, 70}, Shape{37}})
        cases.push_back(unaryCase(op, "i32", shape));
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Unary, NumericTest, testing::ValuesIn(unaryCases()),
                         caseName);

//===----------------------------------------------------------------------===//
// Comparisons and select
//===----------------------------------------------------------------------===//

struct Predicate {
  const char *name;
  bool (*fn)(double, double);
};

const Predicate kPredicates[] = {
    {"eq", [](double a, double b) { return a == b; }},
    {"ne", [](double a, double b) { return a != b; }},
    {"lt", [](double a, double b) { return a < b; }},
    {"le", [](double a, double b) { return a <= b; }},
    {"gt", [](double a, double b) { return a > b; }},
    {"ge", [](double a, double b) { return a >= b; }},
};

std::vector<Case> compareCases() {
  // Few distinct values, so that every predicate sees equal operands often.
  struct Variant {
    StringRef element;
    BroadcastPair shapes;
    Fill fill;
  };
  const Variant variants[] = {
      {"f32", {{5, 70}, {70}}, Fill::choice({-1.5, -0.5, 0.5, 1.5})},
      {"f32", {{4, 1}, {1, 33}}, Fill::choice({-0.25, 0.75, 2.0})},
      {"f32", {{4, 8}, {8}}, Fill::choice({-1.5, 0.5, 1.5})},
      {"i32", {{4, 1}, {1, 33}}, Fill::choice({-2, -1, 1, 2})},
      {"i64", {{3, 70}, {3, 70}}, Fill::choice({-3, 3, 7})},
  };
  std::vector<Case> cases;
  for (const Predicate &p : kPredicates) {
    for (const Variant &v : variants) {
      Shape out = ref::broadcastShape({v.shapes.lhs, v.shapes.rhs});
      auto fn = p.fn;
      cases.push_back(
          {formatv("{0}_{1}_{2}_{3}", p.name, v.element,
                   shapeName(v.shapes.lhs), shapeName(v.shapes.rhs)),
           singleOp(formatv("graph.compare {0}, %arg0, %arg1 : ({1}, {2}) "
                            "-> {3}",
                            p.name, tensorType(v.shapes.lhs, v.element),
                            tensorType(v.shapes.rhs, v.element),
                            tensorType(out, "i1"))
                        .str()),
           [fn](ArrayRef<Array> in) {
             return ref::map(in, [&](ArrayRef<double> x) {
               return fn(x[0], x[1]) ? 1.0 : 0.0;
             });
           },
           {v.fill, v.fill}});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Compare, NumericTest,
                         testing::ValuesIn(compareCases()), caseName);

Array selectReference(ArrayRef<Array> in) {
  return ref::map(in,
                  [](ArrayRef<double> x) { return x[0] != 0 ? x[1] : x[2]; });
}

const Case kSelectCases[] = {
    {"f32_scalar_false",
     singleOp("graph.select %arg0, %arg1, %arg2 : (tensor<3x70xi1>, "
              "tensor<3x70xf32>, tensor<f32>) -> tensor<3x70xf32>"),
     selectReference},
    {"f32_broadcast_all",
     singleOp("graph.select %arg0, %arg1, %arg2 : (tensor<70xi1>, "
              "tensor<4x1xf32>, tensor<4x70xf32>) -> tensor<4x70xf32>"),
     selectReference},
    {"f32_tail_784",
     singleOp("graph.select %arg0, %arg1, %arg2 : (tensor<2x784xi1>, "
              "tensor<2x784xf32>, tensor<784xf32>) -> tensor<2x784xf32>"),
     selectReference},
    {"i32",
     singleOp("graph.select %arg0, %arg1, %arg2 : (tensor<5x33xi1>, "
              "tensor<5x33xi32>, tensor<5x33xi32>) -> tensor<5x33xi32>"),
     selectReference},
    {"f32_whole_rows",
     singleOp("graph.select %arg0, %arg1, %arg2 : (tensor<5x7xi1>, "
              "tensor<5x7xf32>, tensor<5x7xf32>) -> tensor<5x7xf32>"),
     selectReference},
    {"f64",
     singleOp("graph.select %arg0, %arg1, %arg2 : (tensor<3x1xi1>, "
              "tensor<3x7xf64>, tensor<7xf64>) -> tensor<3x7xf64>"),
     selectReference},
    // A mask computed in the function rather than passed in.
    {"f32_from_compare",
     R"(func.func @main(%arg0: tensor<6x70xf32>, %arg1: tensor<70xf32>) -> tensor<6x70xf32> {
  %0 = graph.compare gt, %arg0, %arg1 : (tensor<6x70xf32>, tensor<70xf32>) -> tensor<6x70xi1>
  %1 = graph.select %0, %arg0, %arg1 : (tensor<6x70xi1>, tensor<6x70xf32>, tensor<70xf32>) -> tensor<6x70xf32>
  return %1 : tensor<6x70xf32>
})",
     [](ArrayRef<Array> in) {
       return ref::map(
           in, [](ArrayRef<double> x) { return x[0] > x[1] ? x[0] : x[1]; });
     }},
};

INSTANTIATE_TEST_SUITE_P(Select, NumericTest, testing::ValuesIn(kSelectCases),
                         caseName);

//===----------------------------------------------------------------------===//
// Casts and constants
//===----------------------------------------------------------------------===//

Case castCase(StringRef from, StringRef to, const Shape &shape, Fill fill,
              double (*fn)(double)) {
  return {formatv("{0}_to_{1}_{2}", from, to, shapeName(shape)),
          singleOp(formatv("graph.cast %arg0 : {0} to {1}",
                           tensorType(shape, from), tensorType(shape, to))
                       .str()),
          [fn](ArrayRef<Array> in) {
            return ref::map(in, [&](ArrayRef<double> x) { return fn(x[0]); });
          },
          {fill}};
}

double identity(double x) { return x; }
double toFloat(double x) { return static_cast<float>(x); }
double truncate(double x) { return std::trunc(x); }
double nonZero(double x) { return x != 0; }

std::vector<Case> castCases() {
  Fill wide = Fill::nonZero(0.1, 100.0);
  std::vector<Case> cases;
  for (const Shape &shape : {Shape{3, 70}, Shape{784}, Shape{4, 8}}) {
    cases.push_back(castCase("f32", "i32", shape, wide, truncate));
    cases.push_back(
        castCase("i32", "f32", shape, Fill::nonZero(1, 100000), identity));
    cases.push_back(castCase("i1", "f32", shape, Fill::range(0, 1), identity));
    cases.push_back(castCase("f32", "f64", shape, wide, identity));
  }
  cases.push_back(castCase("f64", "f32", {5, 33}, wide, toFloat));
  cases.push_back(castCase("f64", "i64", {5, 33}, wide, truncate));
  cases.push_back(
      castCase("i32", "i64", {5, 33}, Fill::nonZero(1, 100000), identity));
  cases.push_back(castCase("i1", "i32", {5, 33}, Fill::range(0, 1), identity));
  // To bool is x != 0; zeros are common in these draws.
  cases.push_back(
      castCase("f32", "i1", {5, 33}, Fill::choice({0.0, 1.0, -2.5}), nonZero));
  cases.push_back(
      castCase("i32", "i1", {5, 33}, Fill::choice({0, 1, 7, -3}), nonZero));
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Cast, NumericTest, testing::ValuesIn(castCases()),
                         caseName);

/// 1.5, -0.75, ... : a non-trivial constant of `n` values.
std::vector<double> constantValues(int64_t n) {
  std::vector<double> values;
  for (int64_t i = 0; i < n; ++i)
    values.push_back((i % 2 ? -0.75 : 1.5) * (1 + i % 7));
  return values;
}

std::string denseLiteral(ArrayRef<double> values) {
  std::string s;
  for (double v : values)
    s += (s.empty() ? "" : ", ") + std::to_string(v);
  return "[" + s + "]";
}

std::vector<Case> constantCases() {
  std::vector<double> six = constantValues(6), seventy = constantValues(70);
  std::string rows = denseLiteral(ArrayRef(six).take_front(3)) + ", " +
                     denseLiteral(ArrayRef(six).drop_front(3));
  return {
      {"returned_2x3",
       R"(func.func @main() -> tensor<2x3xf32> {
  %0 = graph.constant dense<[)" +
           rows + R"(]> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
})",
       [six](ArrayRef<Array>) {
         return Array({2, 3}, six);
       }},
      {"added_3x70",
       R"(func.func @main(%arg0: tensor<3x70xf32>) -> tensor<3x70xf32> {
  %0 = graph.constant dense<)" +
           denseLiteral(seventy) + R"(> : tensor<70xf32>
  %1 = graph.add %arg0, %0 : (tensor<3x70xf32>, tensor<70xf32>) -> tensor<3x70xf32>
  return %1 : tensor<3x70xf32>
})",
       [seventy](ArrayRef<Array> in) {
         return ref::map({in[0], Array({70}, seventy)},
                         [](ArrayRef<double> x) { return x[0] + x[1]; });
       }},
      {"splat_i32_5x33",
       R"(func.func @main(%arg0: tensor<5x33xi32>) -> tensor<5x33xi32> {
  %0 = graph.constant dense<-3> : tensor<5x33xi32>
  %1 = graph.mul %arg0, %0 : (tensor<5x33xi32>, tensor<5x33xi32>) -> tensor<5x33xi32>
  return %1 : tensor<5x33xi32>
})",
       [](ArrayRef<Array> in) {
         return ref::map(in, [](ArrayRef<double> x) { return -3 * x[0]; });
       }},
      {"scalar_f64",
       R"(func.func @main(%arg0: tensor<2x70xf64>) -> tensor<2x70xf64> {
  %0 = graph.constant dense<0.125> : tensor<f64>
  %1 = graph.sub %arg0, %0 : (tensor<2x70xf64>, tensor<f64>) -> tensor<2x70xf64>
  return %1 : tensor<2x70xf64>
})",
       [](ArrayRef<Array> in) {
         return ref::map(in, [](ArrayRef<double> x) { return x[0] - 0.125; });
       }},
  };
}

INSTANTIATE_TEST_SUITE_P(Constant, NumericTest,
                         testing::ValuesIn(constantCases()), caseName);

} // namespace
} // namespace kiln::numeric
