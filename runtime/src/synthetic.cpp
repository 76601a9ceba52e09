//===- synthetic.cpp - Data sets drawn from seeded generators -------------===//

#include "synthetic.h"

#include "run.h"

#include <cmath>
#include <string>

namespace {

using kiln::data::DataSet;
using kiln::data::Field;
using kiln::data::Storage;
using kiln::data::Type;
using kiln::synthetic::kSyntheticStream;

std::unique_ptr<DataSet> gaussianClasses(kiln_run *run, int64_t count,
                                         int64_t classes, int64_t dim,
                                         int64_t taskSeed, int64_t seed) {
  if (count < 1 || classes < 1 || dim < 1)
    kiln::fatal(run, "gaussian_classes needs count, classes and dim >= 1, "
                     "found " +
                         std::to_string(count) + ", " +
                         std::to_string(classes) + ", " + std::to_string(dim));
  auto dataSet = std::make_unique<DataSet>();
  dataSet->description = "gaussian_classes(" + std::to_string(count) + ", " +
                         std::to_string(classes) + ", " + std::to_string(dim) +
                         ", task seed " + std::to_string(taskSeed) + ", seed " +
                         std::to_string(seed) + ")";
  dataSet->rows = count;
  // The means from the task's seed; the rows from theirs: labels at
  // counters [0, count), noise after them.
  std::vector<float> means(size_t(classes * dim));
  kiln_rng_normal_f32(uint64_t(taskSeed), kSyntheticStream, 0, means.data(),
                      means.size(), 0.0f, 1.0f);
  std::vector<float> &x = dataSet->generatedFloats;
  std::vector<int32_t> &y = dataSet->generatedInts;
  x.resize(size_t(count * dim));
  y.resize(size_t(count));
  kiln_rng_normal_f32(uint64_t(seed), kSyntheticStream + 1, 0, x.data(),
                      x.size(), 0.0f, 1.0f);
  for (int64_t row = 0; row < count; ++row) {
    kiln_philox_block block =
        kiln_philox4x32(uint64_t(seed), kSyntheticStream, uint64_t(row));
    auto label = int32_t((uint64_t(block.words[0]) * uint64_t(classes)) >> 32);
    y[row] = label;
    for (int64_t i = 0; i < dim; ++i)
      x[row * dim + i] += means[label * dim + i];
  }
  dataSet->fields.push_back({"x", Type::F32, Storage::F32, dim, x.data(), {}});
  dataSet->fields.push_back({"y", Type::I32, Storage::I32, 1, y.data(), {}});
  dataSet->all.run = run;
  dataSet->all.dataSet = dataSet.get();
  dataSet->all.count = count;
  return dataSet;
}

/// A generator's arguments, as the C ABI passes them.
struct Signature {
  const char *name;
  int64_t ints, reals;
};
constexpr Signature kGenerators[] = {
    {"gaussian_classes", 5, 0},
    {"induction_tokens", 4, 0},
    {"icl_classification", 9, 2},
    {"icl_regression", 6, 1},
};

std::unique_ptr<DataSet> generate(kiln_run *run, const std::string &name,
                                  const int64_t *a, const double *r) {
  using namespace kiln::synthetic;
  if (name == "gaussian_classes")
    return gaussianClasses(run, a[0], a[1], a[2], a[3], a[4]);
  if (name == "induction_tokens")
    return inductionTokens(run, a[0], a[1], a[2], a[3]);
  if (name == "icl_classification") {
    if (a[6] < 0 || a[6] > 2)
      kiln::fatal(run, "internal error: icl_classification mode " +
                           std::to_string(a[6]));
    ClassificationTask task{a[1], a[2], a[3], a[4],
                            a[5], r[0], r[1], ClassificationMode(a[6]),
                            a[7]};
    return iclClassification(run, task, a[0], a[8]);
  }
  return iclRegression(run, a[0], a[1], a[2], a[3], r[0], a[4], a[5]);
}

} // namespace

extern "C" kiln_data *kiln_data_synthetic(kiln_run *run, const char *name,
                                          const int64_t *args, int64_t numArgs,
                                          const double *reals,
                                          int64_t numReals) {
  std::string generator = name ? name : "";
  const Signature *signature = nullptr;
  std::string names;
  for (const Signature &candidate : kGenerators) {
    names += (names.empty() ? "" : ", ") + std::string(candidate.name);
    if (generator == candidate.name)
      signature = &candidate;
  }
  if (!signature)
    kiln::fatal(run, "unknown synthetic data generator '" + generator +
                         "' (expected one of " + names + ")");
  if (numArgs != signature->ints || numReals != signature->reals)
    kiln::fatal(run, "internal error: " + generator + " takes " +
                         std::to_string(signature->ints) + " integer and " +
                         std::to_string(signature->reals) +
                         " real arguments, given " + std::to_string(numArgs) +
                         " and " + std::to_string(numReals));
  std::string key = "synthetic:" + generator;
  for (int64_t i = 0; i < numArgs; ++i)
    key += ":" + std::to_string(args[i]);
  for (int64_t i = 0; i < numReals; ++i) {
    char bits[32];
    std::snprintf(bits, sizeof bits, ":%a", reals[i]);
    key += bits;
  }
  std::unique_ptr<DataSet> &dataSet = run->data.dataSets[key];
  if (!dataSet)
    dataSet = generate(run, generator, args, reals);
  return &dataSet->all;
}
