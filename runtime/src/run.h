//===- run.h - The state of a running experiment --------------------------===//
//
// Internal to the runtime: what program.cpp, data.cpp and progress.cpp share
// behind the opaque kiln_run of program.h.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_RUN_H
#define KILN_RUNTIME_RUN_H

#include "cuda/executor.h"
#include "data.h"
#include "progress.h"
#include "replay_program.h"

#include "kiln/checkpoint.h"
#include "kiln/program.h"
#include "kiln/runtime.h"

#include <csignal>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kiln {

/// State other than registered tensors that a checkpoint keeps (a replay
/// buffer's rows and sampler), saved as one named blob of bytes. Register
/// it with addCheckpointPart when it is created, before the program's
/// loops. When a resumed run reaches its checkpoint's position, restore
/// gets the bytes serialize gave, by name; a part the checkpoint lacks (or
/// one of the checkpoint's that no part claims) is an error.
class CheckpointPart {
public:
  virtual ~CheckpointPart() = default;
  /// Unique in the run and the same in a rerun of the program: "replay/0".
  virtual std::string checkpointName() const = 0;
  virtual std::vector<uint8_t> serialize() const = 0;
  /// False, with `error` saying what is wrong, for bytes it cannot restore.
  virtual bool restore(const uint8_t *bytes, size_t size,
                       std::string &error) = 0;
};

/// What checkpoint.cpp keeps of a run.
struct Checkpoints {
  /// Owned by whoever registered them; they must outlive the run.
  std::vector<CheckpointPart *> parts;
  /// False while a resumed run replays up to its checkpoint's position.
  bool live = true;
  /// The checkpoint being resumed from, until its position is reached.
  std::unique_ptr<checkpoint::File> resumeFrom;
  /// A save asked for, carried out at the next loop boundary.
  bool requested = false;
  /// Loops that carry host values from one iteration to the next: a resumed
  /// run could not rebuild those values, so no save lands inside one or at
  /// its exit.
  std::vector<int64_t> carrying;
  std::string label;
  /// --keep-best: the last value of the metric logged.
  std::optional<double> trackedValue;
  /// --init-from: applied when the first loop is entered.
  bool initPending = false;
  struct sigaction previousInt {
  }, previousTerm{};
};

} // namespace kiln

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
  /// Bit d: the program runs on kiln_device d (the CPU unless declared).
  uint32_t devices = 1u << KILN_DEVICE_CPU;
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
    /// Parameters are f32 (exported, --init-from); state is plain bytes.
    bool parameter;
    std::vector<int64_t> shape;
  };
  std::vector<Tensor> tensors;
  uint64_t paramsInitialized = 0; ///< the Philox stream of the next one

  /// --device cuda: the kernel bundle the program declared and the GPU it
  /// runs on, opened by kiln_run_start.
  const void *kernelBundle = nullptr;
  int64_t kernelBundleSize = 0;
  std::unique_ptr<kiln::cuda::Executor> gpu;

  kiln::data::Store data;
  kiln::replay::Store replay;
  kiln::Progress progress;
  kiln::Checkpoints checkpoints;
};

namespace kiln {

/// --device cuda (gpu.cpp): opens the GPU at kiln_run_start; brings every
/// buffer's host copy up to date before the runtime reads the registered
/// tensors (syncFromGPU) or before it overwrites them (takeFromGPU). No-ops
/// on the CPU.
void openGPU(kiln_run *run);
void syncFromGPU(kiln_run *run);
void takeFromGPU(kiln_run *run);

/// Prints "error: <message>" to stderr, closes what `run` (if any) logged to,
/// and exits with status 1.
[[noreturn]] void fatal(kiln_run *run, const std::string &message);
/// Flushes and closes what `run` logs to.
void closeOutputs(kiln_run *run);

/// Checkpoints (checkpoint.cpp). At kiln_run_start, with --resume: loads
/// the newest checkpoint that verifies and cuts metrics.jsonl back to its
/// length; false when there is none, and the run starts afresh. Then
/// startCheckpoints removes a fresh run's earlier checkpoints and installs
/// the SIGINT and SIGTERM handlers, which finishCheckpoints restores.
bool prepareResume(kiln_run *run);
void startCheckpoints(kiln_run *run, bool resuming);
void finishCheckpoints(kiln_run *run);
/// Notes a logged value for --keep-best.
void noteLogged(kiln_run *run, const char *name, double value);
/// Registers state that checkpoints keep; see CheckpointPart.
void addCheckpointPart(kiln_run *run, CheckpointPart *part);
/// While a resumed run re-executes its way to its checkpoint: restores
/// `part` from the checkpoint now (it is restored again, to the same bytes,
/// at the position). False, doing nothing, in a live run.
bool restoreEarly(kiln_run *run, CheckpointPart &part);

/// The Philox streams of the runtime's own draws. Parameters use streams
/// 0, 1, 2, ... in the order they are initialized; these lie far above.
constexpr uint64_t kShuffleStream = uint64_t(1) << 32;
constexpr uint64_t kPermutationStream = (uint64_t(1) << 32) + 1;
/// Replay buffer i (in creation order) draws from stream kReplayStream + i.
constexpr uint64_t kReplayStream = uint64_t(1) << 33;

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
