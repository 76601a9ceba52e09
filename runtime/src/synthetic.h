//===- synthetic.h - Data sets drawn from seeded generators ---------------===//
//
// Internal to the runtime: the generators behind kiln_data_synthetic.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SYNTHETIC_H
#define KILN_RUNTIME_SYNTHETIC_H

#include "data.h"

#include <memory>

namespace kiln::synthetic {

/// The Philox streams of synthetic data (this and the next few), apart from
/// parameters', shuffles' and permutations'.
constexpr uint64_t kSyntheticStream = (uint64_t(1) << 32) + 2;

/// Sequences of `length` tokens below `vocab` whose first half is uniform
/// and whose rest repeats it; y is x shifted by one.
std::unique_ptr<data::DataSet> inductionTokens(kiln_run *run, int64_t count,
                                               int64_t length, int64_t vocab,
                                               int64_t seed);

enum class ClassificationMode {
  Train = 0,     ///< training classes, bursty or not
  InContext = 1, ///< two novel classes with fresh labels; the query is one
  InWeights = 2, ///< training classes; the query's class is not in context
};

/// In-context classification (Chan et al. 2022, Reddy 2024): `classes`
/// unit-norm means in `dim` dimensions, class k labelled k mod `labels`,
/// drawn with probability ~ (k + 1)^-zipf; exemplars are the mean plus
/// N(0, noise^2 / dim) per dimension. A context holds `context` items; with
/// `burstiness` B > 0 it holds context / B classes B times each, one being
/// the query's class. Fields: the context items x [context, dim], their
/// labels [context], the query [dim] and its label y.
struct ClassificationTask {
  int64_t classes, dim, labels, context, burstiness;
  double zipf, noise;
  ClassificationMode mode;
  int64_t taskSeed;
};
std::unique_ptr<data::DataSet> iclClassification(kiln_run *run,
                                                 const ClassificationTask &task,
                                                 int64_t count, int64_t seed);

/// Linear-regression prompts: `points` pairs x ~ N(0, I_dim), y = w.x +
/// N(0, noise^2), w ~ N(0, I_dim) per row, or one of a pool of `tasks`
/// drawn by `taskSeed` when tasks > 0.
std::unique_ptr<data::DataSet> iclRegression(kiln_run *run, int64_t count,
                                             int64_t dim, int64_t points,
                                             int64_t tasks, double noise,
                                             int64_t taskSeed, int64_t seed);

} // namespace kiln::synthetic

#endif // KILN_RUNTIME_SYNTHETIC_H
