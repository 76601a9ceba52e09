//===- Generators.h - The synthetic data builtins' parameters ---*- C++ -*-===//
//
// One table for the checker and the emitter: the parameters of each
// synthetic data builtin in the order the language and exp.synthetic take
// them, with the defaults of the optional ones.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_LANGUAGE_GENERATORS_H
#define KILN_FRONTENDS_LANGUAGE_GENERATORS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace kiln::lang {

struct GeneratorParam {
  /// Integers go to exp.synthetic's arguments, reals after `reals`; the
  /// `mode` string goes as the integer generatorMode() gives it.
  enum class Kind { Int, Real, Mode };
  llvm::StringRef name;
  Kind kind = Kind::Int;
  double otherwise = 0; ///< the default, for parameters past the required
};

struct Generator {
  llvm::ArrayRef<GeneratorParam> params;
  unsigned required;
};

/// The synthetic data builtin `name`, if it is one.
std::optional<Generator> lookupGenerator(llvm::StringRef name);

/// The number a `mode` ("train", "icl", "iwl") stands for, if it is one.
std::optional<int64_t> generatorMode(llvm::StringRef mode);

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_GENERATORS_H
