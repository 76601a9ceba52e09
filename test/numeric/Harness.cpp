//===- Harness.cpp - Compile, run and check one graph function ------------===//

#include "Harness.h"

#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/JIT.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/DebugStringHelper.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <random>

using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

namespace kiln::numeric {

std::string tensorType(ArrayRef<int64_t> shape, StringRef element) {
  std::string dims;
  for (int64_t d : shape)
    dims += std::to_string(d) + "x";
  return ("tensor<" + dims + element + ">").str();
}

std::string shapeName(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(
      llvm::map_range(shape, [](int64_t d) { return std::to_string(d); }), "x");
}

/// Splits `list` at the commas outside angle brackets.
static SmallVector<StringRef> splitTypes(StringRef list) {
  SmallVector<StringRef> types;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] == '<')
      ++depth;
    else if (list[i] == '>')
      --depth;
    else if (list[i] == ',' && depth == 0) {
      types.push_back(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  types.push_back(list.drop_front(start).trim());
  return types;
}

std::string singleOp(StringRef op) {
  // Attribute dictionaries may hold " : " too, but the trailing type is last.
  StringRef trailing = op.substr(op.rfind(" : ") + 3).trim();
  SmallVector<StringRef> operands;
  StringRef result;
  if (trailing.consume_front("(")) {
    auto [list, rest] = trailing.split(")");
    operands = splitTypes(list);
    result = rest.trim();
    result.consume_front("->");
    result = result.trim();
  } else if (trailing.contains(" to ")) {
    auto [from, to] = trailing.split(" to ");
    operands = {from.trim()};
    result = to.trim();
  } else {
    operands = {trailing};
    result = trailing;
  }
  std::string args;
  for (auto [i, type] : llvm::enumerate(operands))
    args += llvm::formatv("{0}%arg{1}: {2}", i ? ", " : "", i, type).str();
  return llvm::formatv("func.func @main({0}) -> {1} {{\n"
                       "  %0 = {2}\n"
                       "  return %0 : {1}\n"
                       "}\n",
                       args, result, op)
      .str();
}

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

namespace {

enum class Element { F32, F64, I1, I32, I64 };

std::optional<Element> elementOf(Type type) {
  if (type.isF32())
    return Element::F32;
  if (type.isF64())
    return Element::F64;
  if (type.isInteger(1))
    return Element::I1;
  if (type.isInteger(32))
    return Element::I32;
  if (type.isInteger(64))
    return Element::I64;
  return std::nullopt;
}

size_t byteWidth(Element e) {
  switch (e) {
  case Element::F32:
  case Element::I32:
    return 4;
  case Element::F64:
  case Element::I64:
    return 8;
  case Element::I1:
    return 1; // One byte per element, as memref<...xi1> lays it out.
  }
  llvm_unreachable("unknown element");
}

bool isFloat(Element e) { return e == Element::F32 || e == Element::F64; }

/// A host buffer for one tensor of @main's signature.
class Buffer {
public:
  Buffer(RankedTensorType type, Element element)
      : type(type), element(element),
        bytes(type.getNumElements() * byteWidth(element)) {}

  TensorRef ref() {
    return {bytes.data(), std::vector<int64_t>(type.getShape().begin(),
                                               type.getShape().end())};
  }

  double get(int64_t i) const {
    switch (element) {
    case Element::F32:
      return load<float>(i);
    case Element::F64:
      return load<double>(i);
    case Element::I1:
      return load<uint8_t>(i);
    case Element::I32:
      return load<int32_t>(i);
    case Element::I64:
      return load<int64_t>(i);
    }
    llvm_unreachable("unknown element");
  }

  void set(int64_t i, double v) {
    switch (element) {
    case Element::F32:
      return store<float>(i, v);
    case Element::F64:
      return store<double>(i, v);
    case Element::I1:
      return store<uint8_t>(i, v != 0);
    case Element::I32:
      return store<int32_t>(i, v);
    case Element::I64:
      return store<int64_t>(i, v);
    }
  }

  /// NaN for floats; 0xAB bytes otherwise, which no test expects and which
  /// is neither 0 nor 1 for i1.
  void poison() {
    if (!isFloat(element)) {
      std::memset(bytes.data(), 0xAB, bytes.size());
      return;
    }
    for (int64_t i = 0; i < type.getNumElements(); ++i)
      set(i, std::numeric_limits<double>::quiet_NaN());
  }

  Array toArray() const {
    Array a(Shape(type.getShape().begin(), type.getShape().end()));
    for (int64_t i = 0; i < a.size(); ++i)
      a.data[i] = get(i);
    return a;
  }

private:
  template <typename T> T load(int64_t i) const {
    T v;
    std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
    return v;
  }
  template <typename T> void store(int64_t i, double v) {
    T t = static_cast<T>(v);
    std::memcpy(bytes.data() + i * sizeof(T), &t, sizeof(T));
  }

  RankedTensorType type;
  Element element;
  std::vector<char> bytes;
};

Fill defaultFill(Element e) {
  if (isFloat(e))
    return Fill::nonZero(0.1, 2.0);
  if (e == Element::I1)
    return Fill::range(0, 1);
  return Fill::nonZero(1, 20);
}

double draw(const Fill &fill, bool integral, std::mt19937_64 &rng) {
  switch (fill.kind) {
  case Fill::Kind::Magnitude: {
    double magnitude =
        integral
            ? std::uniform_int_distribution<int64_t>(fill.lo, fill.hi)(rng)
            : std::uniform_real_distribution<double>(fill.lo, fill.hi)(rng);
    bool negative = fill.bothSigns && std::bernoulli_distribution()(rng);
    return negative ? -magnitude : magnitude;
  }
  case Fill::Kind::Range:
    return std::uniform_int_distribution<int64_t>(fill.lo, fill.hi)(rng);
  case Fill::Kind::Choice:
    return fill.choices[std::uniform_int_distribution<size_t>(
        0, fill.choices.size() - 1)(rng)];
  }
  llvm_unreachable("unknown fill");
}

/// Enough digits to tell f32 values apart.
std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.9g", x);
  return buffer;
}

std::string formatIndex(ArrayRef<int64_t> shape, int64_t flat) {
  SmallVector<std::string> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = std::to_string(flat % shape[d]);
    flat /= shape[d];
  }
  return "[" + llvm::join(index, ", ") + "]";
}

// The error metric. Floats: element i passes when
//
//   |actual_i - expected_i| / max(|expected_i|, floor_i) <= tol,
//
// with tol = 1e-5 for f32 and 1e-12 for f64, and floor_i = max(1e-6, scale_i)
// where scale_i is the reference evaluated on |inputs| for cases that sum
// terms that may cancel (Case::sumsTerms), else 0. The comparison is written
// so that NaN anywhere fails. Integers and i1 must be equal exactly (a poison
// byte left in an i1 result is neither 0 nor 1).
constexpr double kFloor = 1e-6;

void compare(const Array &actual, const Array &expected, const Array *scale,
             Element element) {
  double tolerance = element == Element::F64 ? 1e-12 : 1e-5;
  int64_t failures = 0, worst = -1;
  double worstError = 0;
  std::string report;
  for (int64_t i = 0; i < expected.size(); ++i) {
    double a = actual.data[i], e = expected.data[i];
    double error;
    if (isFloat(element)) {
      double floor = std::max(kFloor, scale ? std::abs(scale->data[i]) : 0.0);
      error = std::abs(a - e) / std::max(std::abs(e), floor);
      if (error <= tolerance)
        continue;
    } else {
      if (a == e)
        continue;
      error = std::abs(a - e);
    }
    if (worst < 0 || !(error <= worstError)) {
      worst = i;
      worstError = error;
    }
    if (++failures <= 8)
      report += "  at " + formatIndex(expected.shape, i) + ": got " +
                number(a) + ", expected " + number(e) + "\n";
  }
  if (worst >= 0)
    report += "  worst at " + formatIndex(expected.shape, worst) + ": error " +
              number(worstError) + "\n";
  EXPECT_EQ(failures, 0) << failures << " of " << expected.size()
                         << " elements differ (tolerance " << tolerance
                         << "):\n"
                         << report;
}

} // namespace

void runCase(const Case &c) {
  static bool registered = (registerPassesAndPipelines(), true);
  (void)registered;

  SCOPED_TRACE("@main is\n" + c.source);
  DialectRegistry registry;
  registerDialects(registry);
  MLIRContext context(registry);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    llvm::raw_string_ostream(diagnostics) << d << "\n";
    return success();
  });

  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(c.source, &context);
  ASSERT_TRUE(module) << "cannot parse @main:\n" << diagnostics;
  if (!c.firstPasses.empty()) {
    PassManager pm(&context, ModuleOp::getOperationName());
    ASSERT_TRUE(succeeded(parsePassPipeline(c.firstPasses, pm)))
        << "malformed pipeline " << c.firstPasses;
    ASSERT_TRUE(succeeded(pm.run(*module))) << diagnostics;
  }
  auto jit = JitModule::compile(*module);
  ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError()) << "\n"
                                      << diagnostics;
  const Signature *signature = (*jit)->signature("main");
  ASSERT_NE(signature, nullptr) << "no public @main";
  ASSERT_EQ(signature->results.size(), 1u) << "@main must have one result";

  std::mt19937_64 rng(/*seed=*/2024);
  std::vector<Buffer> inputs;
  std::vector<Array> values, magnitudes;
  for (auto [i, type] : llvm::enumerate(signature->inputs)) {
    std::optional<Element> element = elementOf(type.getElementType());
    ASSERT_TRUE(element) << "unsupported input type " << debugString(type);
    Fill fill = i < c.fills.size() ? c.fills[i] : defaultFill(*element);
    Buffer &buffer = inputs.emplace_back(type, *element);
    for (int64_t k = 0; k < type.getNumElements(); ++k)
      buffer.set(k, draw(fill, !isFloat(*element), rng));
    values.push_back(buffer.toArray());
    magnitudes.push_back(values.back());
    for (double &x : magnitudes.back().data)
      x = std::abs(x);
  }

  RankedTensorType resultType = signature->results.front();
  std::optional<Element> resultElement = elementOf(resultType.getElementType());
  ASSERT_TRUE(resultElement)
      << "unsupported result type " << debugString(resultType);
  Array expected = c.reference(values);
  ASSERT_EQ(expected.shape,
            Shape(resultType.getShape().begin(), resultType.getShape().end()))
      << "the reference disagrees with the result type "
      << debugString(resultType);
  std::optional<Array> scale;
  if (c.sumsTerms)
    scale = c.reference(magnitudes);
  if (c.normalized) {
    scale = Array(expected.shape);
    std::fill(scale->data.begin(), scale->data.end(), 1.0);
  }

  Buffer result(resultType, *resultElement);
  result.poison();
  std::vector<TensorRef> inputRefs;
  for (Buffer &b : inputs)
    inputRefs.push_back(b.ref());
  llvm::Error error = (*jit)->call("main", inputRefs, {result.ref()});
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  compare(result.toArray(), expected, scale ? &*scale : nullptr,
          *resultElement);
}

TEST_P(NumericTest, MatchesReference) { runCase(GetParam()); }

} // namespace kiln::numeric
