//===- run.h - The state of a running experiment --------------------------===//
//
// Internal to the runtime: what program.cpp, data.cpp and progress.cpp share
// behind the opaque kiln_run of program.h.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_RUN_H
#define KILN_RUNTIME_RUN_H

#include "data.h"
#include "progress.h"

#include "kiln/program.h"
#include "kiln/runtime.h"

#include <deque>
#include <string>
#include <utility>
#include <vector>

struct kiln_run {
  int argc;
  char **argv;
  std::string experiment, sourceHash, defaultOutDir;
  /// Names, string defaults and choices, copied: deque elements never move.
  std::deque<std::string> strings;
  std::vector<kiln_hparam> params;
  std::vector<std::vector<const char *>> choices; ///< per hyper-parameter
  kiln_run_options options;
  bool started = false;
  /// The thread's float mode before the run flushed denormals.
  uint64_t floatMode = 0;

  kiln_metrics *metrics = nullptr;
  kiln_tfevents *events = nullptr;

  /// Tags for the next logged value.
  struct PendingTag {
    std::string key, stringValue;
    bool isString;
    int64_t intValue;
  };
  std::vector<PendingTag> tags;
  std::vector<kiln_metric_tag> tagViews;
  /// Values for the holes of the next logged name, and that name.
  std::vector<std::string> holes;
  std::string holeName;

  /// Parameters and state by name, for checkpoints.
  struct Tensor {
    std::string name;
    void *data;
    int64_t bytes;
  };
  std::vector<Tensor> tensors;
  uint64_t paramsInitialized = 0; ///< the Philox stream of the next one

  kiln::data::Store data;
  kiln::Progress progress;
};

namespace kiln {

/// Prints "error: <message>" to stderr, closes what `run` (if any) logged to,
/// and exits with status 1.
[[noreturn]] void fatal(kiln_run *run, const std::string &message);

/// The Philox streams of the runtime's own draws. Parameters use streams
/// 0, 1, 2, ... in the order they are initialized; these lie far above.
constexpr uint64_t kShuffleStream = uint64_t(1) << 32;
constexpr uint64_t kPermutationStream = (uint64_t(1) << 32) + 1;

/// Fisher-Yates over `values[0..size)`, swap i drawing from counter i of
/// (seed, stream): the result depends only on those and the input.
template <typename T>
void philoxShuffle(uint64_t seed, uint64_t stream, T *values, int64_t size) {
  for (int64_t i = size - 1; i > 0; --i) {
    kiln_philox_block block = kiln_philox4x32(seed, stream, uint64_t(i));
    uint64_t bits = uint64_t(block.words[1]) << 32 | block.words[0];
    // A 64-bit draw scaled to [0, i]: the bias, below 2^-32, is immaterial.
    auto j = int64_t((unsigned __int128)bits * uint64_t(i + 1) >> 64);
    std::swap(values[i], values[j]);
  }
}

} // namespace kiln

#endif // KILN_RUNTIME_RUN_H
