//===- data.cpp - Data sets and views of a running experiment -------------===//
//
// A view derived at a call site (shuffle, take, permute, batch) is the site's
// one kiln_data, rebuilt in place: new rows are composed in the site's
// scratch vector, then swapped in, since the source may be the site's own
// previous view. Once the vectors have grown, a loop allocates nothing.
//
//===----------------------------------------------------------------------===//

#include "run.h"

#include <cstdlib>

namespace kiln::data {
namespace {

std::string rowsText(int64_t rows) {
  return std::to_string(rows) + (rows == 1 ? " row" : " rows");
}

/// The directory a data set is read from when the program names none.
std::string defaultDir(const kiln_run *run, const std::string &name) {
  if (run->options.data_dir)
    return run->options.data_dir;
  if (const char *env = std::getenv("KILN_DATA_DIR"); env && *env)
    return env;
  std::string dashed = name;
  for (char &c : dashed)
    if (c == '_')
      c = '-';
  return "/usr/share/datasets/" + dashed;
}

std::unique_ptr<DataSet> loadMnist(kiln_run *run, const std::string &name,
                                   const std::string &split,
                                   const std::string &dir) {
  auto dataSet = std::make_unique<DataSet>();
  dataSet->description = name + " " + split + " (" + dir + ")";
  if (kiln_dataset_load_mnist(dir.c_str(), split.c_str(), &dataSet->storage) !=
      0)
    fatal(run,
          "cannot load " + dataSet->description + ": " + kiln_last_error());
  const kiln_dataset &storage = dataSet->storage;
  dataSet->rows = storage.count;
  Field x{
      "x", Type::F32, Storage::U8, storage.rows * storage.cols, storage.images,
      {}};
  for (int value = 0; value < 256; ++value)
    x.byteValues[value] = float(value) / 255.0f;
  dataSet->fields.push_back(x);
  dataSet->fields.push_back(
      {"y", Type::I32, Storage::I32, 1, storage.labels, {}});
  dataSet->all.run = run;
  dataSet->all.dataSet = dataSet.get();
  dataSet->all.count = dataSet->rows;
  return dataSet;
}

} // namespace

Site &siteFor(kiln_run *run, int64_t site, const kiln_data *source) {
  if (site < 0)
    fatal(run, "internal error: data site " + std::to_string(site));
  if (!source || source->run != run)
    fatal(run, "internal error: data site " + std::to_string(site) +
                   " given no view of this run");
  std::vector<std::unique_ptr<Site>> &sites = run->data.sites;
  if (site >= int64_t(sites.size()))
    sites.resize(size_t(site) + 1);
  if (!sites[site]) {
    sites[site] = std::make_unique<Site>();
    sites[site]->view.run = run;
  }
  return *sites[site];
}

namespace {

/// Gives `view` the data set and feature permutation of `source`.
void adoptSource(kiln_data &view, const kiln_data &source) {
  if (&view == &source)
    return;
  view.dataSet = source.dataSet;
  view.permutation.assign(source.permutation.begin(), source.permutation.end());
}

/// Makes the site's view rows [first, first + count) of `source`.
void selectRows(Site &site, const kiln_data &source, int64_t first,
                int64_t count) {
  kiln_data &view = site.view;
  if (source.indexed) {
    site.scratchRows.assign(source.rows.begin() + first,
                            source.rows.begin() + first + count);
    view.rows.swap(site.scratchRows);
  } else {
    view.start = source.start + first;
    view.count = count;
  }
  view.indexed = source.indexed;
  adoptSource(view, source);
}

const Field &fieldOf(kiln_run *run, const kiln_data *data, const char *name,
                     Type type, int64_t count) {
  const DataSet &dataSet = *data->dataSet;
  const Field *field = nullptr;
  std::string names;
  for (const Field &candidate : dataSet.fields) {
    names += (names.empty() ? "" : ", ") + candidate.name;
    if (candidate.name == name)
      field = &candidate;
  }
  if (!field)
    fatal(run, dataSet.description + " has no field '" + name +
                   "' (its fields: " + names + ")");
  if (field->type != type)
    fatal(run, "field '" + field->name + "' of " + dataSet.description +
                   " is " + (field->type == Type::F32 ? "f32" : "i32") +
                   ", read as " + (type == Type::F32 ? "f32" : "i32"));
  int64_t expected = data->numRows() * field->size;
  if (count != expected)
    fatal(run, "field '" + field->name + "' of a view of " +
                   rowsText(data->numRows()) + " of " + dataSet.description +
                   " has " + std::to_string(expected) + " elements (" +
                   std::to_string(field->size) +
                   " per row), but the buffer to fill holds " +
                   std::to_string(count));
  return *field;
}

/// Writes every row of `field` in `data` to `out`, element i of a row being
/// `read(values, i)` of the row's stored values, feature i of field x going
/// to position permutation[i].
template <typename T, typename Stored, typename Read>
void gather(const kiln_data *data, const Field &field, T *out, Read read) {
  const int32_t *permutation = field.name == "x" && !data->permutation.empty()
                                   ? data->permutation.data()
                                   : nullptr;
  int64_t size = field.size;
  std::vector<Stored> generated(field.generate ? size_t(size) : 0);
  for (int64_t row = 0, rows = data->numRows(); row < rows; ++row) {
    const Stored *values;
    if (field.generate) {
      field.generate(data->dataSetRow(row), generated.data());
      values = generated.data();
    } else {
      values = static_cast<const Stored *>(field.values) +
               data->dataSetRow(row) * size;
    }
    T *destination = out + row * size;
    if (permutation)
      for (int64_t i = 0; i < size; ++i)
        destination[permutation[i]] = read(values, i);
    else
      for (int64_t i = 0; i < size; ++i)
        destination[i] = read(values, i);
  }
}

} // namespace
} // namespace kiln::data

using namespace kiln::data;
using kiln::fatal;

extern "C" {

kiln_data *kiln_data_mnist(kiln_run *run, const char *name, const char *split,
                           const char *dir) {
  std::string dataSetName = name ? name : "";
  if (dataSetName != "mnist" && dataSetName != "fashion_mnist")
    fatal(run, "unknown data set '" + dataSetName +
                   "' (expected mnist or fashion_mnist)");
  std::string resolvedDir = dir ? dir : defaultDir(run, dataSetName);
  std::unique_ptr<DataSet> &dataSet =
      run->data.dataSets[resolvedDir + '\0' + split];
  if (!dataSet)
    dataSet = loadMnist(run, dataSetName, split, resolvedDir);
  return &dataSet->all;
}

kiln_data *kiln_data_shuffle(kiln_run *run, int64_t site, kiln_data *data,
                             int64_t seed) {
  Site &target = siteFor(run, site, data);
  std::vector<int64_t> &rows = target.scratchRows;
  rows.resize(size_t(data->numRows()));
  for (size_t row = 0; row < rows.size(); ++row)
    rows[row] = data->dataSetRow(int64_t(row));
  kiln::philoxShuffle(uint64_t(seed), kiln::kShuffleStream, rows.data(),
                      int64_t(rows.size()));
  target.view.rows.swap(rows);
  target.view.indexed = true;
  adoptSource(target.view, *data);
  return &target.view;
}

kiln_data *kiln_data_take(kiln_run *run, int64_t site, kiln_data *data,
                          int64_t count) {
  Site &target = siteFor(run, site, data);
  if (count < 0 || count > data->numRows())
    fatal(run, "cannot take " + rowsText(count) + " of a view of " +
                   rowsText(data->numRows()) + " of " +
                   data->dataSet->description);
  selectRows(target, *data, 0, count);
  return &target.view;
}

kiln_data *kiln_data_permute(kiln_run *run, int64_t site, kiln_data *data,
                             const int32_t *permutation, int64_t size) {
  Site &target = siteFor(run, site, data);
  const Field *x = nullptr;
  for (const Field &field : data->dataSet->fields)
    if (field.name == "x")
      x = &field;
  if (!x || x->size != size)
    fatal(run, "a permutation of " + std::to_string(size) +
                   " features does not fit field x of " +
                   data->dataSet->description + " (" +
                   (x ? std::to_string(x->size) + " features"
                      : std::string("no such field")) +
                   ")");
  std::vector<bool> seen(size_t(size), false);
  for (int64_t i = 0; i < size; ++i) {
    int32_t to = permutation[i];
    if (to < 0 || to >= size || seen[to])
      fatal(run, "not a permutation of 0.." + std::to_string(size - 1) +
                     ": element " + std::to_string(i) + " is " +
                     std::to_string(to));
    seen[to] = true;
  }
  // Feature i went to earlier[i], which now goes on to permutation[...].
  std::vector<int32_t> &composed = target.scratchPermutation;
  const std::vector<int32_t> &earlier = data->permutation;
  composed.resize(size_t(size));
  for (int64_t i = 0; i < size; ++i)
    composed[i] = permutation[earlier.empty() ? i : earlier[i]];
  selectRows(target, *data, 0, data->numRows());
  target.view.permutation.swap(composed);
  return &target.view;
}

int64_t kiln_data_num_batches(const kiln_data *data, int64_t size) {
  if (size <= 0)
    fatal(data->run, "batch size " + std::to_string(size) + " is not positive");
  return data->numRows() / size;
}

kiln_data *kiln_data_batch(kiln_run *run, int64_t site, kiln_data *data,
                           int64_t index, int64_t size) {
  Site &target = siteFor(run, site, data);
  int64_t batches = kiln_data_num_batches(data, size);
  if (index < 0 || index >= batches)
    fatal(run, "batch " + std::to_string(index) + " of size " +
                   std::to_string(size) + " is out of range: a view of " +
                   rowsText(data->numRows()) + " of " +
                   data->dataSet->description + " has " +
                   std::to_string(batches) + " full batches");
  selectRows(target, *data, index * size, size);
  return &target.view;
}

int64_t kiln_data_rows(const kiln_data *data) { return data->numRows(); }

void kiln_data_field_f32(kiln_run *run, const kiln_data *data,
                         const char *field, float *out, int64_t count) {
  const Field &f = fieldOf(run, data, field, Type::F32, count);
  if (f.storage == Storage::F32) {
    gather<float, float>(
        data, f, out, [](const float *values, int64_t i) { return values[i]; });
    return;
  }
  gather<float, uint8_t>(data, f, out, [&](const uint8_t *bytes, int64_t i) {
    return f.byteValues[bytes[i]];
  });
}

void kiln_data_field_i32(kiln_run *run, const kiln_data *data,
                         const char *field, int32_t *out, int64_t count) {
  const Field &f = fieldOf(run, data, field, Type::I32, count);
  gather<int32_t, int32_t>(
      data, f, out, [](const int32_t *values, int64_t i) { return values[i]; });
}

void kiln_run_permutation(kiln_run *run, int64_t seed, int32_t *out,
                          int64_t size) {
  if (size < 0 || size > INT32_MAX)
    fatal(run, "internal error: a permutation of " + std::to_string(size) +
                   " elements");
  for (int64_t i = 0; i < size; ++i)
    out[i] = int32_t(i);
  kiln::philoxShuffle(uint64_t(seed), kiln::kPermutationStream, out, size);
}

} // extern "C"
