//===- Types.cpp - Types of .kiln values ----------------------------------===//

#include "frontends/Language/Types.h"

#include "frontends/Language/AST.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

namespace kiln::lang {

llvm::StringRef dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::I1:
    return "bool";
  case DType::U8:
    return "u8";
  }
  return "?";
}

std::optional<DType> parseDType(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<DType>>(name)
      .Case("f32", DType::F32)
      .Case("f64", DType::F64)
      .Case("i32", DType::I32)
      .Case("i64", DType::I64)
      .Case("u8", DType::U8)
      .Default(std::nullopt);
}

const DatasetInfo::Field *DatasetInfo::find(llvm::StringRef name) const {
  for (const Field &f : fields)
    if (f.name == name)
      return &f;
  return nullptr;
}

int64_t SymbolTable::create(llvm::StringRef name) {
  names.push_back(name.str());
  return kSymbolBase + int64_t(names.size() - 1);
}

llvm::StringRef SymbolTable::name(int64_t dim) const {
  uint64_t index = uint64_t(dim - kSymbolBase);
  return index < names.size() ? llvm::StringRef(names[index]) : "?";
}

std::string SymbolTable::formatDim(int64_t dim) const {
  if (dim == graph::kDynamic)
    return "?";
  return isSymbol(dim) ? name(dim).str() : std::to_string(dim);
}

std::string SymbolTable::formatShape(llvm::ArrayRef<int64_t> shape) const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + formatDim(shape[i]);
  return s + "]";
}

std::string SymbolTable::formatType(const Type &type) const {
  switch (type.kind) {
  case TypeKind::Error:
    return "<error>";
  case TypeKind::Void:
    return "nothing";
  case TypeKind::Int:
    return "int";
  case TypeKind::Float:
    return "float";
  case TypeKind::Bool:
    return "bool";
  case TypeKind::Str:
    return "str";
  case TypeKind::Tensor:
    if (type.weak)
      return isFloat(type.dtype) ? "float" : "int";
    return dtypeName(type.dtype).str() + formatShape(type.shape);
  case TypeKind::Model:
    // Without a declaration when naming the kind expected: "must be model".
    return type.model ? "model " + type.model->name.str() : "model";
  case TypeKind::Dataset:
    return "dataset";
  case TypeKind::Batches:
    return "batches";
  case TypeKind::Range:
    return "range";
  case TypeKind::Optimizer:
    return "optimizer";
  case TypeKind::Schedule:
    return "schedule";
  case TypeKind::Replay:
    return "replay buffer";
  case TypeKind::Initializer:
    return "initializer";
  }
  return "?";
}

std::string SymbolTable::render(llvm::StringRef message) const {
  std::string out;
  for (size_t i = 0; i < message.size();) {
    size_t end = i;
    while (end < message.size() && llvm::isDigit(message[end]))
      ++end;
    if (end == i) {
      out += message[i++];
      continue;
    }
    llvm::StringRef digits = message.slice(i, end);
    int64_t value;
    if (!digits.getAsInteger(10, value) && isSymbol(value))
      out += name(value);
    else
      out += digits;
    i = end;
  }
  return out;
}

} // namespace kiln::lang
