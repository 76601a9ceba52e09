//===- data.h - Data sets and views of a running experiment ---------------===//
//
// Internal to the runtime: the state behind kiln_data. A data set holds
// named fields, each a fixed number of elements per row; a view (kiln_data)
// selects rows of one data set, in any order, and may permute the features
// of field x.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_DATA_H
#define KILN_RUNTIME_DATA_H

#include "kiln/program.h"
#include "kiln/runtime.h"

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln::data {

struct DataSet;

} // namespace kiln::data

struct kiln_data {
  kiln_run *run = nullptr;
  const kiln::data::DataSet *dataSet = nullptr;
  /// Rows [start, start + count) of the data set, unless `indexed`, when
  /// `rows` lists them.
  bool indexed = false;
  int64_t start = 0, count = 0;
  std::vector<int64_t> rows;
  /// Feature i of field x goes to position permutation[i]; empty: in place.
  std::vector<int32_t> permutation;

  int64_t numRows() const { return indexed ? int64_t(rows.size()) : count; }
  int64_t dataSetRow(int64_t row) const {
    return indexed ? rows[row] : start + row;
  }
};

namespace kiln::data {

/// The element type readers see. F32 fields are stored as bytes, each read
/// as byteValues[byte] (MNIST images), or as floats (replay buffers' own f32
/// fields); I32 fields as int32.
enum class Type { F32, I32 };
enum class Storage { U8, I32, F32 }; ///< how elements are stored

struct Field {
  std::string name;
  Type type;
  Storage storage;
  int64_t size; ///< elements per row
  const void *values;
  /// The value of each byte: for images, byte / 255 (an exact division, as
  /// other frameworks scale them).
  std::array<float, 256> byteValues;
  /// Generated fields have no stored values: `generate(row, out)` writes the
  /// `size` elements of data-set row `row`, of the storage type, from the
  /// row's index alone (so any row, in any order, any number of times).
  std::function<void(int64_t row, void *out)> generate;
};

/// A loaded data set and the view of all its rows, both owned by the run.
struct DataSet {
  std::string description; ///< names it in errors: "mnist train (DIR)"
  int64_t rows = 0;
  std::vector<Field> fields;
  kiln_dataset storage{}; ///< the buffers the fields point into
  /// Generated data sets' buffers, which fields may point into instead.
  std::vector<float> generatedFloats;
  std::vector<int32_t> generatedInts;
  kiln_data all;

  DataSet() = default;
  DataSet(const DataSet &) = delete;
  DataSet &operator=(const DataSet &) = delete;
  ~DataSet() { kiln_dataset_free(&storage); }
};

/// The view a call site of the program reuses, with scratch space to build
/// its next rows in: a site may derive from its own previous view.
struct Site {
  kiln_data view;
  std::vector<int64_t> scratchRows;
  std::vector<int32_t> scratchPermutation;
};

/// The view of call site `site`, created on first use; `source` must be a
/// view of `run`.
Site &siteFor(kiln_run *run, int64_t site, const kiln_data *source);

struct Store {
  /// Keyed by directory and split, so that loading again is free.
  std::map<std::string, std::unique_ptr<DataSet>> dataSets;
  std::vector<std::unique_ptr<Site>> sites;
};

} // namespace kiln::data

#endif // KILN_RUNTIME_DATA_H
