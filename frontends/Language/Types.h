//===- Types.h - Types of .kiln values --------------------------*- C++ -*-===//
//
// A tensor type is a dtype and a shape. A dimension is a static size or a
// symbol (the batch `B` of a signature, a model argument such as `in`, a
// hyper-parameter such as `batch`). Symbols are encoded as int64 values at or
// above kSymbolBase, so the graph dialect's shape rules (GraphShapes.h) apply
// unchanged: a symbol equals only itself, never 1, and never broadcasts.
// Static sizes stay below kMaxStaticDim so they never collide with a symbol.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_LANGUAGE_TYPES_H
#define KILN_FRONTENDS_LANGUAGE_TYPES_H

#include "dialects/Graph/IR/GraphShapes.h"

#include "llvm/ADT/StringRef.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiln::lang {

using graph::Shape;

constexpr int64_t kSymbolBase = int64_t(1) << 60;
constexpr int64_t kMaxStaticDim = int64_t(1) << 40;

inline bool isSymbol(int64_t dim) { return dim >= kSymbolBase; }

enum class DType { F32, F64, I32, I64, I1, U8 };

llvm::StringRef dtypeName(DType dtype);
std::optional<DType> parseDType(llvm::StringRef name);
inline bool isFloat(DType d) { return d == DType::F32 || d == DType::F64; }

struct ModelDecl;
struct DatasetInfo;

enum class TypeKind {
  Error, // already diagnosed; silences follow-up errors
  Void,
  Int,
  Float,
  Bool,
  Str,
  Tensor,
  Model,   // an instance of a model
  Dataset, // rows of named tensor fields
  Batches, // an iterable of Dataset batches
  Range,   // lo..hi
  Optimizer,
  Schedule, // a learning rate that changes with the step
  Replay,   // a replay buffer
  Initializer,
};

struct Type {
  TypeKind kind = TypeKind::Error;
  // Tensor: element type and shape; `weak` marks a literal scalar whose dtype
  // adapts to the tensor it meets (`2.0 * x` keeps x's dtype).
  DType dtype = DType::F32;
  Shape shape;
  bool weak = false;
  // Int: the value when known at compile time, a static size or a symbol.
  std::optional<int64_t> value;
  // Model: the declaration and the values of its dimension arguments.
  const ModelDecl *model = nullptr;
  Shape modelDims;
  // Dataset, Batches and Replay: the fields of one row.
  std::shared_ptr<const DatasetInfo> dataset;
  // Str hyper-parameters restricted to a few values: those values.
  std::vector<std::string> choices;
  // Int and float hyper-parameters restricted to [low, high].
  std::optional<std::pair<double, double>> bounds;

  static Type error() { return {}; }
  static Type integer(std::optional<int64_t> value) {
    Type t = of(TypeKind::Int);
    t.value = value;
    return t;
  }
  static Type of(TypeKind kind) {
    Type t;
    t.kind = kind;
    return t;
  }
  static Type tensor(DType dtype, Shape shape, bool weak = false) {
    Type t = of(TypeKind::Tensor);
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.weak = weak;
    return t;
  }
  bool isError() const { return kind == TypeKind::Error; }
  bool isTensor() const { return kind == TypeKind::Tensor; }
  bool isScalarTensor() const { return isTensor() && shape.empty(); }
  bool isNumber() const {
    return kind == TypeKind::Int || kind == TypeKind::Float;
  }
};

/// A dataset: `count` rows, each holding named tensor fields.
struct DatasetInfo {
  struct Field {
    std::string name;
    DType dtype;
    Shape shape; // of one row
  };
  int64_t count;
  std::vector<Field> fields;
  const Field *find(llvm::StringRef name) const;
};

/// Names of dimension symbols, so shapes print as "[B, 784]".
class SymbolTable {
public:
  int64_t create(llvm::StringRef name);
  llvm::StringRef name(int64_t dim) const;
  std::string formatDim(int64_t dim) const;
  std::string formatShape(llvm::ArrayRef<int64_t> shape) const;
  std::string formatType(const Type &type) const;
  /// Rewrites the encoded symbols inside a message of the shape rules.
  std::string render(llvm::StringRef message) const;

private:
  std::vector<std::string> names;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_TYPES_H
