//===- synthetic_sequences.cpp - Sequence tasks for in-context learning ---===//
//
// Generated data sets: every field of a row is computed on demand from the
// row's index and the seeds, so a data set of a billion rows costs nothing
// until read, reads are identical in any order, and resuming needs nothing
// saved. Each row draws from its own Philox counters (row << 32, ...).
//
//===----------------------------------------------------------------------===//

#include "synthetic.h"

#include "run.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace kiln::synthetic {
namespace {

using data::DataSet;
using data::Field;
using data::Storage;
using data::Type;

constexpr uint64_t kInductionStream = kSyntheticStream + 2;
constexpr uint64_t kClassesRowStream = kSyntheticStream + 3;
constexpr uint64_t kClassMeansStream = kSyntheticStream + 4;
constexpr uint64_t kRegressionRowStream = kSyntheticStream + 5;
constexpr uint64_t kRegressionTaskStream = kSyntheticStream + 6;

/// The draws of one row, in order: 2^32 Philox blocks of its own.
class RowRng {
public:
  RowRng(uint64_t seed, uint64_t stream, int64_t row)
      : seed_(seed), stream_(stream), counter_(uint64_t(row) << 32) {}

  uint32_t word() {
    if (next_ == 4) {
      block_ = kiln_philox4x32(seed_, stream_, counter_++);
      next_ = 0;
    }
    return block_.words[next_++];
  }
  /// Uniform over [0, n).
  int64_t below(int64_t n) {
    return int64_t((uint64_t(word()) * uint64_t(n)) >> 32);
  }
  /// Uniform over the open interval (0, 1).
  double uniform() { return (double(word()) + 0.5) / 4294967296.0; }
  float normal() {
    double radius = std::sqrt(-2.0 * std::log(uniform()));
    return float(radius * std::cos(2.0 * M_PI * uniform()));
  }

private:
  uint64_t seed_, stream_, counter_;
  kiln_philox_block block_{};
  int next_ = 4;
};

/// Rows drawn lately, shared by a generator's fields: a batch's fields are
/// read one after another over the same rows, and replay buffers and mixes
/// read every field of a row in turn. Direct-mapped by row index.
template <typename Row> class RowCache {
public:
  /// The slot of data-set row `index`; `hit` tells whether it holds that
  /// row already, else the caller draws it there.
  Row &slot(int64_t index, bool &hit) {
    size_t at = size_t(index) % kSlots;
    hit = indices_[at] == index;
    indices_[at] = index;
    return rows_[at];
  }

private:
  static constexpr size_t kSlots = 256; ///< a batch of up to 256 rows
  std::vector<int64_t> indices_ = std::vector<int64_t>(kSlots, -1);
  std::vector<Row> rows_ = std::vector<Row>(kSlots);
};

void finish(DataSet &dataSet, kiln_run *run, int64_t count) {
  dataSet.rows = count;
  dataSet.all.run = run;
  dataSet.all.dataSet = &dataSet;
  dataSet.all.count = count;
}

template <typename T, typename Sample>
Field generatedField(std::string name, int64_t size, Sample sample) {
  bool isFloat = std::is_same_v<T, float>;
  Field field{std::move(name),
              isFloat ? Type::F32 : Type::I32,
              isFloat ? Storage::F32 : Storage::I32,
              size,
              nullptr,
              {},
              {}};
  field.generate = [sample, size](int64_t row, void *out) {
    const T *values = sample(row);
    std::copy(values, values + size, static_cast<T *>(out));
  };
  return field;
}

std::string argsText(std::initializer_list<double> args) {
  std::string text;
  for (double arg : args) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", arg);
    text += (text.empty() ? "" : ", ") + std::string(buffer);
  }
  return text;
}

/// Draws from p(k) proportional to (k + 1)^-exponent over k < size.
class Zipf {
public:
  Zipf(int64_t size, double exponent) : cumulative_(size_t(size)) {
    double total = 0;
    for (int64_t k = 0; k < size; ++k)
      cumulative_[k] = total += std::pow(double(k + 1), -exponent);
    for (double &c : cumulative_)
      c /= total;
  }
  int64_t draw(RowRng &rng) const {
    double u = rng.uniform();
    auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), u);
    return std::min<int64_t>(it - cumulative_.begin(),
                             int64_t(cumulative_.size()) - 1);
  }

private:
  std::vector<double> cumulative_;
};

/// A unit-norm direction: a draw of N(0, I_dim), normalized.
void unitMean(RowRng &rng, float *mean, int64_t dim) {
  double norm = 0;
  for (int64_t i = 0; i < dim; ++i) {
    mean[i] = rng.normal();
    norm += double(mean[i]) * mean[i];
  }
  auto scale = float(1.0 / std::sqrt(std::max(norm, 1e-30)));
  for (int64_t i = 0; i < dim; ++i)
    mean[i] *= scale;
}

} // namespace

std::unique_ptr<DataSet> inductionTokens(kiln_run *run, int64_t count,
                                         int64_t length, int64_t vocab,
                                         int64_t seed) {
  if (count < 1 || length < 2 || vocab < 1)
    fatal(run, "induction_tokens needs count >= 1, length >= 2 and vocab >= "
               "1, found " +
                   argsText({double(count), double(length), double(vocab)}));
  auto dataSet = std::make_unique<DataSet>();
  dataSet->description =
      "induction_tokens(" +
      argsText({double(count), double(length), double(vocab), double(seed)}) +
      ")";
  // Tokens s[0..length]: the first half uniform, the rest repeating it.
  auto cache = std::make_shared<RowCache<std::vector<int32_t>>>();
  auto sequence = [=](int64_t row) -> const int32_t * {
    bool hit;
    std::vector<int32_t> &s = cache->slot(row, hit);
    if (!hit) {
      s.resize(size_t(length + 1));
      RowRng rng(uint64_t(seed), kInductionStream, row);
      int64_t half = length / 2;
      for (int64_t i = 0; i <= length; ++i)
        s[i] = i < half ? int32_t(rng.below(vocab)) : s[i - half];
    }
    return s.data();
  };
  dataSet->fields.push_back(generatedField<int32_t>("x", length, sequence));
  dataSet->fields.push_back(generatedField<int32_t>(
      "y", length, [=](int64_t row) { return sequence(row) + 1; }));
  finish(*dataSet, run, count);
  return dataSet;
}

std::unique_ptr<DataSet> iclClassification(kiln_run *run,
                                           const ClassificationTask &task,
                                           int64_t count, int64_t seed) {
  const ClassificationTask t = task;
  std::string text = argsText(
      {double(count), double(t.classes), double(t.dim), double(t.labels),
       double(t.context), double(t.burstiness), t.zipf, t.noise,
       double(int(t.mode)), double(t.taskSeed), double(seed)});
  bool bursty = t.burstiness > 0;
  if (count < 1 || t.classes < 1 || t.dim < 1 || t.labels < 1 ||
      t.context < 1 || t.burstiness < 0 || t.noise < 0 ||
      (bursty && t.context % t.burstiness != 0) ||
      (bursty && t.mode == ClassificationMode::Train &&
       t.classes < t.context / t.burstiness) ||
      (t.mode == ClassificationMode::InWeights && t.classes < 2) ||
      (t.mode == ClassificationMode::InContext && t.labels < 2))
    fatal(run, "icl_classification(" + text +
                   ") is not a task: it needs count, classes, dim, labels and "
                   "context >= 1, noise >= 0, a burstiness dividing the "
                   "context and no more classes per context than exist, 2 "
                   "classes for mode \"iwl\" and 2 labels for mode \"icl\"");
  auto dataSet = std::make_unique<DataSet>();
  dataSet->description = "icl_classification(" + text + ")";

  // The training classes' means, from the task's seed.
  auto means = std::make_shared<std::vector<float>>(size_t(t.classes * t.dim));
  {
    RowRng rng(uint64_t(t.taskSeed), kClassMeansStream, 0);
    for (int64_t k = 0; k < t.classes; ++k)
      unitMean(rng, means->data() + k * t.dim, t.dim);
  }
  auto zipf = std::make_shared<Zipf>(t.classes, t.zipf);

  struct Row {
    std::vector<float> x;        ///< context items, then the query
    std::vector<int32_t> labels; ///< the context items' labels
    int32_t y = 0;               ///< the query's label
  };
  auto cache = std::make_shared<RowCache<Row>>();
  auto sample = [=](int64_t index) -> const Row & {
    bool hit;
    Row &row = cache->slot(index, hit);
    if (hit)
      return row;
    int64_t n = t.context, dim = t.dim;
    row.x.resize(size_t((n + 1) * dim));
    row.labels.resize(size_t(n));
    RowRng rng(uint64_t(seed), kClassesRowStream, index);
    // Each item's class: an index into `classMeans`, with its label.
    std::vector<const float *> itemMean(size_t(n + 1));
    std::vector<int32_t> itemLabel(size_t(n + 1));
    std::vector<float> novel;
    auto trainingClass = [&](int64_t k, int64_t item) {
      itemMean[item] = means->data() + k * dim;
      itemLabel[item] = int32_t(k % t.labels);
    };
    // Items [0, n) in groups of `group` of one class each, then shuffled.
    auto shuffleContext = [&] {
      for (int64_t i = n - 1; i > 0; --i) {
        int64_t j = rng.below(i + 1);
        std::swap(itemMean[i], itemMean[j]);
        std::swap(itemLabel[i], itemLabel[j]);
      }
    };
    if (t.mode == ClassificationMode::InContext) {
      // Two classes never seen in training, with fresh labels.
      novel.resize(size_t(2 * dim));
      unitMean(rng, novel.data(), dim);
      unitMean(rng, novel.data() + dim, dim);
      int32_t first = int32_t(rng.below(t.labels));
      int32_t second = int32_t(rng.below(t.labels - 1));
      second += second >= first;
      for (int64_t i = 0; i < n; ++i) {
        bool isSecond = i >= (n + 1) / 2;
        itemMean[i] = novel.data() + (isSecond ? dim : 0);
        itemLabel[i] = isSecond ? second : first;
      }
      shuffleContext();
      bool querySecond = rng.below(2) == 1;
      itemMean[n] = novel.data() + (querySecond ? dim : 0);
      itemLabel[n] = querySecond ? second : first;
    } else {
      int64_t query = zipf->draw(rng);
      trainingClass(query, n);
      if (t.mode == ClassificationMode::InWeights) {
        for (int64_t i = 0; i < n; ++i) {
          int64_t k;
          do
            k = zipf->draw(rng);
          while (k == query);
          trainingClass(k, i);
        }
      } else if (bursty) {
        std::vector<int64_t> chosen{query};
        while (int64_t(chosen.size()) < n / t.burstiness) {
          int64_t k = zipf->draw(rng);
          if (std::find(chosen.begin(), chosen.end(), k) == chosen.end())
            chosen.push_back(k);
        }
        for (int64_t i = 0; i < n; ++i)
          trainingClass(chosen[size_t(i / t.burstiness)], i);
        shuffleContext();
      } else {
        for (int64_t i = 0; i < n; ++i)
          trainingClass(zipf->draw(rng), i);
      }
    }
    // Exemplars: the class mean plus noise of norm ~ `noise`.
    auto scale = float(t.noise / std::sqrt(double(dim)));
    for (int64_t i = 0; i <= n; ++i)
      for (int64_t d = 0; d < dim; ++d)
        row.x[i * dim + d] = itemMean[i][d] + scale * rng.normal();
    std::copy(itemLabel.begin(), itemLabel.begin() + n, row.labels.begin());
    row.y = itemLabel[n];
    return row;
  };
  dataSet->fields.push_back(
      generatedField<float>("x", t.context * t.dim,
                            [=](int64_t row) { return sample(row).x.data(); }));
  dataSet->fields.push_back(
      generatedField<float>("query", t.dim, [=](int64_t row) {
        return sample(row).x.data() + t.context * t.dim;
      }));
  dataSet->fields.push_back(
      generatedField<int32_t>("labels", t.context, [=](int64_t row) {
        return sample(row).labels.data();
      }));
  dataSet->fields.push_back(generatedField<int32_t>(
      "y", 1, [=](int64_t row) { return &sample(row).y; }));
  finish(*dataSet, run, count);
  return dataSet;
}

std::unique_ptr<DataSet> iclRegression(kiln_run *run, int64_t count,
                                       int64_t dim, int64_t points,
                                       int64_t tasks, double noise,
                                       int64_t taskSeed, int64_t seed) {
  std::string text =
      argsText({double(count), double(dim), double(points), double(tasks),
                noise, double(taskSeed), double(seed)});
  if (count < 1 || dim < 1 || points < 1 || tasks < 0 || noise < 0)
    fatal(run, "icl_regression(" + text +
                   ") is not a task: it needs count, dim and points >= 1, "
                   "tasks >= 0 (0: a fresh w for every row) and noise >= 0");
  auto dataSet = std::make_unique<DataSet>();
  dataSet->description = "icl_regression(" + text + ")";
  // The finite pool of weight vectors, when there is one.
  auto pool = std::make_shared<std::vector<float>>(size_t(tasks * dim));
  {
    RowRng rng(uint64_t(taskSeed), kRegressionTaskStream, 0);
    for (float &w : *pool)
      w = rng.normal();
  }
  struct Row {
    std::vector<float> x, y, w;
  };
  auto cache = std::make_shared<RowCache<Row>>();
  auto sample = [=](int64_t index) -> const Row & {
    bool hit;
    Row &row = cache->slot(index, hit);
    if (hit)
      return row;
    row.x.resize(size_t(points * dim));
    row.y.resize(size_t(points));
    row.w.resize(size_t(dim));
    RowRng rng(uint64_t(seed), kRegressionRowStream, index);
    if (tasks > 0) {
      const float *w = pool->data() + rng.below(tasks) * dim;
      std::copy(w, w + dim, row.w.begin());
    } else {
      for (float &w : row.w)
        w = rng.normal();
    }
    for (int64_t k = 0; k < points; ++k) {
      double dot = 0;
      for (int64_t i = 0; i < dim; ++i) {
        float x = row.x[k * dim + i] = rng.normal();
        dot += double(x) * row.w[i];
      }
      row.y[k] = float(dot + noise * rng.normal());
    }
    return row;
  };
  dataSet->fields.push_back(generatedField<float>(
      "x", points * dim, [=](int64_t row) { return sample(row).x.data(); }));
  dataSet->fields.push_back(generatedField<float>(
      "y", points, [=](int64_t row) { return sample(row).y.data(); }));
  dataSet->fields.push_back(generatedField<float>(
      "w", dim, [=](int64_t row) { return sample(row).w.data(); }));
  finish(*dataSet, run, count);
  return dataSet;
}

} // namespace kiln::synthetic
