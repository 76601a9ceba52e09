//===- Generators.cpp - The synthetic data builtins' parameters -----------===//

#include "frontends/Language/Generators.h"

namespace kiln::lang {

using Kind = GeneratorParam::Kind;

std::optional<Generator> lookupGenerator(llvm::StringRef name) {
  static const GeneratorParam induction[] = {
      {"count"}, {"length"}, {"vocab"}, {"seed"}};
  static const GeneratorParam gaussian[] = {
      {"count"}, {"classes"}, {"dim"}, {"task_seed"}, {"seed"}};
  static const GeneratorParam classification[] = {{"count"},
                                                  {"classes"},
                                                  {"dim", Kind::Int, 63},
                                                  {"labels", Kind::Int, 32},
                                                  {"context", Kind::Int, 8},
                                                  {"burstiness", Kind::Int, 4},
                                                  {"zipf", Kind::Real, 0},
                                                  {"noise", Kind::Real, 0.1},
                                                  {"mode", Kind::Mode, 0},
                                                  {"task_seed"},
                                                  {"seed"}};
  static const GeneratorParam regression[] = {
      {"count"}, {"dim", Kind::Int, 8},    {"points", Kind::Int, 20},
      {"tasks"}, {"noise", Kind::Real, 0}, {"task_seed"},
      {"seed"}};
  if (name == "induction_tokens")
    return Generator{induction, 3};
  if (name == "gaussian_classes")
    return Generator{gaussian, 3};
  if (name == "icl_classification")
    return Generator{classification, 2};
  if (name == "icl_regression")
    return Generator{regression, 1};
  return std::nullopt;
}

std::optional<int64_t> generatorMode(llvm::StringRef mode) {
  if (mode == "train")
    return 0;
  if (mode == "icl")
    return 1;
  if (mode == "iwl")
    return 2;
  return std::nullopt;
}

} // namespace kiln::lang
