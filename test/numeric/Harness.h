//===- Harness.h - Compile, run and check one graph function --------*- C++
//-*-===//
//
// A numeric test case is MLIR text defining `func.func @main` over ranked
// tensors, a plain C++ reference of what @main computes, and how to draw each
// input. The harness parses the text, compiles it with JitModule (the CPU
// pipeline), fills the inputs with seeded random values, poisons the result
// buffer, calls @main and compares the result with the reference; see
// Harness.cpp for the exact error metric.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_NUMERIC_HARNESS_H
#define KILN_TEST_NUMERIC_HARNESS_H

#include "Reference.h"

#include "llvm/ADT/StringRef.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace kiln::numeric {

/// How to draw the values of one input.
struct Fill {
  enum class Kind { Magnitude, Range, Choice };
  Kind kind;
  double lo = 0, hi = 0;
  bool bothSigns = false;
  std::vector<double> choices = {};

  /// |v| uniform in [lo, hi] with a random sign (integers: whole numbers).
  static Fill nonZero(double lo, double hi) {
    return {Kind::Magnitude, lo, hi, /*bothSigns=*/true};
  }
  /// v uniform in [lo, hi] with lo > 0 (integers: whole numbers).
  static Fill positive(double lo = 0.1, double hi = 2.0) {
    return {Kind::Magnitude, lo, hi, /*bothSigns=*/false};
  }
  /// Whole numbers uniform in [lo, hi]: indices and labels.
  static Fill range(int64_t lo, int64_t hi) {
    return {Kind::Range, static_cast<double>(lo), static_cast<double>(hi)};
  }
  /// One of `values`, so that equal elements are common.
  static Fill choice(std::vector<double> values) {
    return {Kind::Choice, 0, 0, false, std::move(values)};
  }
};

/// What @main computes, from its inputs.
using Reference = std::function<Array(llvm::ArrayRef<Array>)>;

struct Case {
  /// The GoogleTest name: letters, digits and underscores.
  std::string name;
  /// A module defining `func.func @main` with one result.
  std::string source;
  Reference reference;
  /// How to draw input i. Inputs past the end take the default of their
  /// element type: nonZero(0.1, 2) for floats, nonZero(1, 20) for integers
  /// and range(0, 1) for i1.
  std::vector<Fill> fills = {};
  /// Set when results are sums of input terms that may cancel (matmul,
  /// reduce_sum): each element's tolerance then scales with the reference
  /// evaluated on |inputs| rather than with its own, possibly tiny, value.
  bool sumsTerms = false;
  /// Set for results that are O(1) by construction but may be tiny in
  /// places (normalizations near the mean, solutions of well-conditioned
  /// systems): errors are measured against 1 where the reference is smaller.
  bool normalized = false;
  /// Passes run on the module (anchored at builtin.module, e.g.
  /// "inline,func.func(cse)") before the CPU pipeline: another
  /// target's lowering checked on the CPU (the GPU's attention loops).
  std::string firstPasses = "";
};

/// "tensor<4x8xf32>", or "tensor<f32>" for an empty shape.
std::string tensorType(llvm::ArrayRef<int64_t> shape, llvm::StringRef element);

/// "4x8", or "scalar" for an empty shape: for test names.
std::string shapeName(llvm::ArrayRef<int64_t> shape);

/// A module whose @main applies one op to its arguments %arg0, %arg1, ...
/// The signature comes from the op's trailing type, which is one of
/// `(T0, T1, ...) -> R`, `T to R` or a single `T` for both operand and result.
std::string singleOp(llvm::StringRef op);

/// Compiles and runs `c`, reporting mismatches as GoogleTest failures.
void runCase(const Case &c);

/// Every suite instantiates this with its cases, named by `caseName`.
class NumericTest : public ::testing::TestWithParam<Case> {};

inline std::string caseName(const ::testing::TestParamInfo<Case> &info) {
  return info.param.name;
}

/// Shows a case by its name rather than as raw bytes; failures print the
/// source.
void PrintTo(const Case &c, std::ostream *os);

} // namespace kiln::numeric

#endif // KILN_TEST_NUMERIC_HARNESS_H
