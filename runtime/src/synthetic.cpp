//===- synthetic.cpp - Data sets drawn from seeded generators -------------===//

#include "data.h"
#include "run.h"

#include <cmath>
#include <string>

namespace {

using kiln::data::DataSet;
using kiln::data::Field;
using kiln::data::Storage;
using kiln::data::Type;

/// The Philox streams of synthetic data (this and the next), apart from
/// parameters', shuffles' and permutations'.
constexpr uint64_t kSyntheticStream = (uint64_t(1) << 32) + 2;

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

} // namespace

extern "C" kiln_data *kiln_data_synthetic(kiln_run *run, const char *name,
                                          const int64_t *args,
                                          int64_t numArgs) {
  std::string generator = name ? name : "";
  if (generator != "gaussian_classes")
    kiln::fatal(run, "unknown synthetic data generator '" + generator +
                         "' (expected gaussian_classes)");
  if (numArgs != 5)
    kiln::fatal(run, "internal error: gaussian_classes takes 5 arguments, "
                     "given " +
                         std::to_string(numArgs));
  std::string key = "synthetic:" + generator;
  for (int64_t i = 0; i < numArgs; ++i)
    key += ":" + std::to_string(args[i]);
  std::unique_ptr<DataSet> &dataSet = run->data.dataSets[key];
  if (!dataSet)
    dataSet = gaussianClasses(run, args[0], args[1], args[2], args[3], args[4]);
  return &dataSet->all;
}
