//===- replay_program.h - Replay buffers of a running experiment ----------===//
//
// Internal to the runtime: the state behind kiln_replay (a replay::
// ReplayBuffer plus the data set its sampled views read) and behind
// kiln_data_mix.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_REPLAY_PROGRAM_H
#define KILN_RUNTIME_REPLAY_PROGRAM_H

#include "data.h"
#include "replay.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln {
class CheckpointPart;

namespace replay {
/// Where one field of a row is built when a view cannot point at it: the
/// row of a generated field, field x of a permuted view.
struct RowScratch {
  std::vector<uint8_t> generated, permuted;
};
} // namespace replay
} // namespace kiln

struct kiln_replay {
  kiln_replay(kiln_run *run, int64_t index, kiln::replay::Options options);
  ~kiln_replay();

  kiln_run *run;
  int64_t index; ///< creation order: names the buffer, picks its stream
  kiln::replay::ReplayBuffer buffer;
  /// The buffer's fields over its storage, for the views sample() returns.
  kiln::data::DataSet dataSet;
  /// Slots of the last sample, for its weights and priority updates.
  std::vector<int64_t> lastSample;
  /// Scratch of add(): each field's elements of a row, and where each is
  /// built when it must be.
  std::vector<const void *> rowValues;
  std::vector<kiln::replay::RowScratch> rowScratch;

  /// The rows each call site of sample() drew last. A resumed run
  /// re-executing its way to its checkpoint gets these back from sample()
  /// instead of new draws: the views in use at the checkpoint.
  std::map<int64_t, std::vector<int64_t>> siteRows;

  /// For checkpoints: the buffer's contents and sampler state, and the rows
  /// of siteRows.
  std::vector<uint8_t> serialize() const;
  bool restore(const uint8_t *bytes, size_t size, std::string &error);
  /// Registered with the run: checkpoint part "replay/<index>".
  std::unique_ptr<kiln::CheckpointPart> checkpointPart;
};

namespace kiln::replay {

/// The rows of a call site's kiln_data_mix, copied (compact, as stored) so
/// that one view reads both sources.
struct MixSite {
  /// The data sets whose fields `dataSet` was given.
  const data::DataSet *sourceA = nullptr, *sourceB = nullptr;
  data::DataSet dataSet;
  /// Per field: the rows the view reads, and where the next call builds its
  /// rows (a source may be this site's previous view).
  std::vector<std::vector<uint8_t>> values, spare;
  RowScratch rowScratch; ///< where a row of a field is built when it must be
};

struct Store {
  std::vector<std::unique_ptr<kiln_replay>> buffers; ///< in creation order
  std::vector<std::unique_ptr<MixSite>> mixes;       ///< by call site
};

} // namespace kiln::replay

#endif // KILN_RUNTIME_REPLAY_PROGRAM_H
