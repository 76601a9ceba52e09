//===- replay_program.cpp - Replay buffers and mixes of a running run -----===//
//
// The C ABI over replay::ReplayBuffer. A buffer takes the fields of the
// first rows added, as they are stored (uint8 images stay uint8 with their
// byte values); its sampled views are ordinary indexed views of a data set
// whose fields point into the buffer's storage, so that field reads convert
// only the rows drawn. A mix copies its rows, compactly, into storage of its
// call site. Neither allocates once its vectors have grown.
//
//===----------------------------------------------------------------------===//

#include "run.h"

#include <cmath>
#include <cstring>

using kiln::fatal;
using namespace kiln::data;

namespace kiln::replay {
namespace {

/// A buffer as the run's checkpoints see it.
class ReplayPart final : public CheckpointPart {
public:
  explicit ReplayPart(kiln_replay &replay) : replay_(replay) {}
  std::string checkpointName() const override {
    return "replay/" + std::to_string(replay_.index);
  }
  std::vector<uint8_t> serialize() const override {
    return replay_.serialize();
  }
  bool restore(const uint8_t *bytes, size_t size, std::string &error) override {
    return replay_.restore(bytes, size, error);
  }

private:
  kiln_replay &replay_;
};

size_t bytesPerElement(Storage storage) {
  return storage == Storage::U8 ? 1 : 4;
}

Element elementOf(Storage storage) {
  switch (storage) {
  case Storage::U8:
    return Element::U8;
  case Storage::I32:
    return Element::I32;
  case Storage::F32:
    return Element::F32;
  }
  return Element::U8;
}

/// The data set field over replay storage of `spec`.
Field fieldOf(const FieldSpec &spec) {
  Field field{spec.name, Type::F32, Storage::U8,
              spec.size, nullptr,   spec.byteValues};
  if (spec.element == Element::I32) {
    field.type = Type::I32;
    field.storage = Storage::I32;
  } else if (spec.element == Element::F32) {
    field.storage = Storage::F32;
  }
  return field;
}

bool sameLayout(const Field &a, const Field &b) {
  return a.name == b.name && a.type == b.type && a.storage == b.storage &&
         a.size == b.size &&
         (a.storage != Storage::U8 || a.byteValues == b.byteValues);
}

bool sameFields(const std::vector<Field> &a, const std::vector<Field> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t f = 0; f < a.size(); ++f)
    if (!sameLayout(a[f], b[f]))
      return false;
  return true;
}

/// "x: u8[784] as f32, y: i32[1]", for errors.
std::string describeFields(const std::vector<Field> &fields) {
  std::string text;
  for (const Field &field : fields) {
    text += (text.empty() ? "" : ", ") + field.name + ": " +
            (field.storage == Storage::U8    ? "u8"
             : field.storage == Storage::I32 ? "i32"
                                             : "f32") +
            "[" + std::to_string(field.size) + "]";
    if (field.storage == Storage::U8)
      text += " as f32";
  }
  return text;
}

/// The stored elements of field `f` of row `row` of `view`, as the view
/// presents them: built in `scratch` when the field is generated or the view
/// permutes field x.
const void *rowValues(const kiln_data &view, size_t f, int64_t row,
                      RowScratch &scratch) {
  const Field &field = view.dataSet->fields[f];
  size_t width = bytesPerElement(field.storage);
  const uint8_t *values;
  if (field.generate) {
    scratch.generated.resize(size_t(field.size) * width);
    field.generate(view.dataSetRow(row), scratch.generated.data());
    values = scratch.generated.data();
  } else {
    values = static_cast<const uint8_t *>(field.values) +
             size_t(view.dataSetRow(row) * field.size) * width;
  }
  if (field.name != "x" || view.permutation.empty())
    return values;
  scratch.permuted.resize(size_t(field.size) * width);
  for (int64_t i = 0; i < field.size; ++i)
    std::memcpy(scratch.permuted.data() + size_t(view.permutation[i]) * width,
                values + size_t(i) * width, width);
  return scratch.permuted.data();
}

/// Points the buffer's data set at its storage, first giving it the
/// buffer's fields (known from the first add, or from a restore).
void syncDataSet(kiln_replay &replay) {
  const std::vector<FieldSpec> &specs = replay.buffer.fields();
  std::vector<Field> &fields = replay.dataSet.fields;
  if (fields.size() != specs.size()) {
    fields.clear();
    for (const FieldSpec &spec : specs)
      fields.push_back(fieldOf(spec));
  }
  for (size_t f = 0; f < fields.size(); ++f)
    fields[f].values = replay.buffer.row(f, 0);
  replay.dataSet.rows = replay.dataSet.all.count = replay.buffer.size();
}

/// The fields of `rows` as the buffer will store them; defines them on the
/// first add, else checks them.
void checkFields(kiln_replay &replay, const kiln_data &rows) {
  const std::vector<Field> &incoming = rows.dataSet->fields;
  if (!replay.buffer.hasFields()) {
    std::vector<FieldSpec> specs;
    for (const Field &field : incoming)
      specs.push_back(
          {field.name, elementOf(field.storage), field.size, field.byteValues});
    if (std::string error = replay.buffer.defineFields(std::move(specs));
        !error.empty())
      fatal(replay.run, replay.dataSet.description + ": " + error +
                            " (rows of " + rows.dataSet->description +
                            " have " + describeFields(incoming) + ")");
  }
  syncDataSet(replay);
  if (!sameFields(replay.dataSet.fields, incoming))
    fatal(replay.run, "cannot add rows of " + rows.dataSet->description + " (" +
                          describeFields(incoming) + ") to " +
                          replay.dataSet.description + ", which holds " +
                          describeFields(replay.dataSet.fields));
}

kiln_replay &prioritized(kiln_replay *replay, const char *what, int64_t count) {
  if (replay->buffer.options().sampling != Sampling::Prioritized)
    fatal(replay->run, what + std::string(" of ") +
                           replay->dataSet.description +
                           ", which does not sample by priority");
  if (count != int64_t(replay->lastSample.size()))
    fatal(replay->run, what + std::string(" of ") + std::to_string(count) +
                           " rows of " + replay->dataSet.description +
                           ", whose last sample drew " +
                           std::to_string(replay->lastSample.size()));
  return *replay;
}

MixSite &mixSite(kiln_run *run, int64_t site) {
  std::vector<std::unique_ptr<MixSite>> &mixes = run->replay.mixes;
  if (site >= int64_t(mixes.size()))
    mixes.resize(size_t(site) + 1);
  if (!mixes[site]) {
    mixes[site] = std::make_unique<MixSite>();
    mixes[site]->dataSet.all.run = run;
  }
  return *mixes[site];
}

} // namespace
} // namespace kiln::replay

using namespace kiln::replay;

kiln_replay::kiln_replay(kiln_run *run, int64_t index,
                         kiln::replay::Options options)
    : run(run), index(index), buffer(std::move(options)),
      checkpointPart(std::make_unique<ReplayPart>(*this)) {
  dataSet.description = "replay buffer " + std::to_string(index);
  dataSet.all.run = run;
  dataSet.all.dataSet = &dataSet;
  kiln::addCheckpointPart(run, checkpointPart.get());
}

kiln_replay::~kiln_replay() = default;

// [u64 buffer bytes][buffer][u64 sites]{[i64 site][u64 rows][i64 rows...]}
std::vector<uint8_t> kiln_replay::serialize() const {
  std::vector<uint8_t> bytes, contents = buffer.serialize();
  auto append = [&](const void *data, size_t size) {
    const auto *begin = static_cast<const uint8_t *>(data);
    bytes.insert(bytes.end(), begin, begin + size);
  };
  auto appendWord = [&](uint64_t word) { append(&word, sizeof word); };
  appendWord(contents.size());
  append(contents.data(), contents.size());
  appendWord(siteRows.size());
  for (const auto &[site, rows] : siteRows) {
    appendWord(uint64_t(site));
    appendWord(rows.size());
    append(rows.data(), rows.size() * sizeof(int64_t));
  }
  return bytes;
}

bool kiln_replay::restore(const uint8_t *bytes, size_t size,
                          std::string &error) {
  size_t at = 0;
  auto take = [&](void *out, size_t n) {
    if (n > size - at)
      return false;
    std::memcpy(out, bytes + at, n);
    at += n;
    return true;
  };
  uint64_t contentsSize, numSites;
  if (!take(&contentsSize, 8) || contentsSize > size - at) {
    error = "truncated replay buffer";
    return false;
  }
  if (!buffer.restore(bytes + at, contentsSize, error))
    return false;
  at += contentsSize;
  std::map<int64_t, std::vector<int64_t>> sites;
  if (!take(&numSites, 8)) {
    error = "truncated sampled views";
    return false;
  }
  for (uint64_t s = 0; s < numSites; ++s) {
    uint64_t site, rows;
    if (!take(&site, 8) || !take(&rows, 8) || rows > (size - at) / 8) {
      error = "truncated sampled views";
      return false;
    }
    std::vector<int64_t> &slots = sites[int64_t(site)];
    slots.resize(rows);
    take(slots.data(), rows * 8);
    for (int64_t slot : slots)
      if (slot < 0 || slot >= buffer.size()) {
        error = "a sampled view holds row " + std::to_string(slot) +
                " of a buffer of " + std::to_string(buffer.size());
        return false;
      }
  }
  if (at != size) {
    error = std::to_string(size - at) + " bytes after the sampled views";
    return false;
  }
  siteRows = std::move(sites);
  // Views in use read the storage through the data set: point it at the
  // restored storage.
  syncDataSet(*this);
  return true;
}

extern "C" {

kiln_replay *kiln_replay_create(kiln_run *run, int64_t capacity,
                                const char *insert, const char *sample) {
  if (!run->started)
    fatal(run, "internal error: a replay buffer created before "
               "kiln_run_start");
  std::vector<std::unique_ptr<kiln_replay>> &buffers = run->replay.buffers;
  std::string name = "replay buffer " + std::to_string(buffers.size());
  if (capacity <= 0)
    fatal(run,
          name + ": capacity " + std::to_string(capacity) + " is not positive");
  Options options;
  options.capacity = capacity;
  std::string insertion = insert ? insert : "";
  if (insertion == "append")
    options.insertion = Insertion::Append;
  else if (insertion == "reservoir")
    options.insertion = Insertion::Reservoir;
  else if (insertion == "class_balanced")
    options.insertion = Insertion::ClassBalanced;
  else if (insertion == "task_episodic")
    options.insertion = Insertion::TaskEpisodic;
  else
    fatal(run, name + ": unknown insertion policy '" + insertion +
                   "' (expected append, reservoir, class_balanced or "
                   "task_episodic)");
  std::string sampling = sample ? sample : "";
  if (sampling == "uniform")
    options.sampling = Sampling::Uniform;
  else if (sampling == "recency" || sampling == "recency_exponential")
    options.sampling = Sampling::Recency;
  else if (sampling == "prioritized")
    options.sampling = Sampling::Prioritized;
  else
    fatal(run, name + ": unknown sampling policy '" + sampling +
                   "' (expected uniform, recency, recency_exponential or "
                   "prioritized)");
  if (sampling == "recency_exponential")
    options.decay = Decay::Exponential;
  options.seed = run->options.seed;
  options.stream = kiln::kReplayStream + buffers.size();
  buffers.push_back(
      std::make_unique<kiln_replay>(run, int64_t(buffers.size()), options));
  kiln_replay *replay = buffers.back().get();
  // A resumed run skips insertions on its way back to its checkpoint but
  // may sample on the way (the draws the checkpoint's views came from): it
  // needs the saved contents from the start.
  if (kiln::restoreEarly(run, *replay->checkpointPart))
    syncDataSet(*replay);
  return replay;
}

void kiln_replay_add(kiln_run *run, kiln_replay *buffer, const kiln_data *rows,
                     int64_t task) {
  if (!rows || rows->run != run || buffer->run != run)
    fatal(run, "internal error: rows or a replay buffer of another run");
  checkFields(*buffer, *rows);
  size_t numFields = rows->dataSet->fields.size();
  buffer->rowValues.resize(numFields);
  buffer->rowScratch.resize(numFields);
  for (int64_t row = 0, count = rows->numRows(); row < count; ++row) {
    for (size_t f = 0; f < numFields; ++f)
      buffer->rowValues[f] = rowValues(*rows, f, row, buffer->rowScratch[f]);
    buffer->buffer.add(task, buffer->rowValues.data());
  }
  syncDataSet(*buffer);
}

kiln_data *kiln_replay_sample(kiln_run *run, int64_t site, kiln_replay *buffer,
                              int64_t count, double alpha) {
  const std::string &name = buffer->dataSet.description;
  if (count <= 0)
    fatal(run, "cannot sample " + std::to_string(count) + " rows of " + name);
  if (buffer->buffer.size() == 0)
    fatal(run, "cannot sample from " + name + ": it is empty");
  if (!std::isfinite(alpha))
    fatal(run, "cannot sample from " + name + " with alpha " +
                   std::to_string(alpha));
  syncDataSet(*buffer);
  Site &target = siteFor(run, site, &buffer->dataSet.all);
  kiln_data &view = target.view;
  std::vector<int64_t> &drawn = buffer->siteRows[site];
  if (!run->checkpoints.live && drawn.size() == size_t(count)) {
    // Re-executing up to a checkpoint: the view it was taken with.
    view.rows.assign(drawn.begin(), drawn.end());
  } else {
    buffer->buffer.sample(count, alpha, view.rows);
    drawn.assign(view.rows.begin(), view.rows.end());
  }
  view.indexed = true;
  view.dataSet = &buffer->dataSet;
  view.permutation.clear();
  buffer->lastSample.assign(view.rows.begin(), view.rows.end());
  return &view;
}

int64_t kiln_replay_size(const kiln_replay *buffer) {
  return buffer->buffer.size();
}

void kiln_replay_weights(kiln_replay *buffer, double beta, float *out,
                         int64_t count) {
  kiln_replay &replay = prioritized(buffer, "importance weights", count);
  replay.buffer.importanceWeights(replay.lastSample.data(), count, beta, out);
}

void kiln_replay_update_priorities(kiln_replay *buffer, const float *priorities,
                                   int64_t count) {
  kiln_replay &replay = prioritized(buffer, "priorities", count);
  for (int64_t i = 0; i < count; ++i)
    if (!std::isfinite(priorities[i]) || priorities[i] <= 0)
      fatal(replay.run, "priority " + std::to_string(i) + " of " +
                            replay.dataSet.description + " is " +
                            std::to_string(priorities[i]) +
                            ": priorities must be finite and positive");
  replay.buffer.updatePriorities(replay.lastSample.data(), priorities, count);
}

kiln_data *kiln_data_mix(kiln_run *run, int64_t site, const kiln_data *a,
                         int64_t count_a, const kiln_data *b, int64_t count_b) {
  Site &target = siteFor(run, site, a);
  if (!b || b->run != run)
    fatal(run, "internal error: a mix of a view of another run");
  if (count_a < 0 || count_a > a->numRows() || count_b < 0 ||
      count_b > b->numRows() || count_a + count_b == 0)
    fatal(run, "cannot mix " + std::to_string(count_a) + " of " +
                   std::to_string(a->numRows()) + " rows of " +
                   a->dataSet->description + " with " +
                   std::to_string(count_b) + " of " +
                   std::to_string(b->numRows()) + " rows of " +
                   b->dataSet->description);
  MixSite &mix = mixSite(run, site);
  DataSet &mixed = mix.dataSet;
  if (a->dataSet != mix.sourceA || b->dataSet != mix.sourceB) {
    if (!sameFields(a->dataSet->fields, b->dataSet->fields))
      fatal(run, "cannot mix rows of " + a->dataSet->description + " (" +
                     describeFields(a->dataSet->fields) + ") with rows of " +
                     b->dataSet->description + " (" +
                     describeFields(b->dataSet->fields) + ")");
    // Copies first: a source may be this very data set.
    std::vector<Field> fields = a->dataSet->fields;
    for (Field &field : fields)
      field.generate = nullptr; // the mix stores its rows
    std::string description = "a mix of " + a->dataSet->description + " and " +
                              b->dataSet->description;
    mixed.fields = std::move(fields);
    mixed.description = std::move(description);
    mix.values.resize(mixed.fields.size());
    mix.spare.resize(mixed.fields.size());
    mix.sourceA = a->dataSet;
    mix.sourceB = b->dataSet;
  }
  int64_t rows = count_a + count_b;
  for (size_t f = 0; f < mixed.fields.size(); ++f) {
    size_t width =
        size_t(mixed.fields[f].size) * bytesPerElement(mixed.fields[f].storage);
    std::vector<uint8_t> &out = mix.spare[f];
    out.resize(size_t(rows) * width);
    for (int64_t row = 0; row < rows; ++row) {
      const kiln_data &source = row < count_a ? *a : *b;
      int64_t sourceRow = row < count_a ? row : row - count_a;
      std::memcpy(out.data() + size_t(row) * width,
                  rowValues(source, f, sourceRow, mix.rowScratch), width);
    }
  }
  mix.values.swap(mix.spare);
  for (size_t f = 0; f < mixed.fields.size(); ++f)
    mixed.fields[f].values = mix.values[f].data();
  mixed.rows = rows;
  kiln_data &view = target.view;
  view.dataSet = &mixed;
  view.indexed = false;
  view.start = 0;
  view.count = rows;
  view.permutation.clear();
  return &view;
}

} // extern "C"
