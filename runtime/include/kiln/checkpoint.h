//===- checkpoint.h - Checkpoint files ------------------------------------===//
//
// The runtime's C++ API for checkpoint files (ckpt-<step>.kiln), behind the
// checkpoints of program.h, and the C function `kilnc export` calls. A file
// is a FlatBuffer of metadata (runtime/src/checkpoint.fbs), then the tensor
// and part bytes, each 64-byte aligned so that a mapped file can be read in
// place, then a trailer with the metadata's CRC-32C and the format version.
// Every byte is checked on load: the metadata by CRC and the FlatBuffers
// verifier, each blob by its CRC, padding as zeros. Functions returning a
// string return "" on success, else a message naming the file and what is
// wrong. docs/checkpoints.md describes the format and the policies.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CHECKPOINT_H
#define KILN_CHECKPOINT_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

extern "C" {

/* Writes the parameters of checkpoint file `checkpoint` (verified first) to
 * `output` as "safetensors" or "npz" (a zip of .npy files, stored
 * uncompressed), f32 with the shapes the checkpoint records. Returns 0, or
 * -1 with kiln_last_error() set. */
int32_t kiln_checkpoint_export(const char *checkpoint, const char *format,
                               const char *output);
}

namespace kiln::checkpoint {

constexpr uint32_t kFormatVersion = 1;
/// Of every blob's offset in the file.
constexpr uint64_t kAlignment = 64;

struct LoopPosition {
  int64_t loop = 0, iteration = 0;
  bool operator==(const LoopPosition &other) const {
    return loop == other.loop && iteration == other.iteration;
  }
};

enum class DType : uint8_t { U8 = 0, F32 = 1 };

/// A named run of bytes: a registered tensor or a part's serialized state.
struct Blob {
  std::string name;
  const void *data = nullptr;
  uint64_t size = 0;
  /// Tensors only.
  DType dtype = DType::U8;
  std::vector<int64_t> shape;
  bool parameter = false;
};

/// What a checkpoint holds. Saving, blobs point at the run's memory;
/// loaded, into the loaded bytes.
struct Contents {
  std::string experiment, programHash, config, label;
  uint64_t seed = 0;
  int64_t steps = 0;
  uint64_t metricsSize = 0;
  /// The loop stack, outermost first; never empty.
  std::vector<LoopPosition> position;
  bool atExit = false;
  std::vector<Blob> tensors, parts;
  std::string trackedMetric;
  std::optional<double> trackedValue;
};

/// Writes `contents` to `path` atomically: a temporary file in the same
/// directory, fsync'ed, renamed over `path`, then the directory fsync'ed.
/// On failure `path` is as it was and no temporary file remains.
[[nodiscard]] std::string save(const std::string &path,
                               const Contents &contents);

/// Verifies a checkpoint held in memory and describes it in `out`, whose
/// blobs then point into `bytes`. Without `checkData`, only the metadata is
/// checked (and blob CRCs are not): enough to read steps or a metric.
[[nodiscard]] std::string parse(const uint8_t *bytes, size_t size,
                                const std::string &name, Contents &out,
                                bool checkData = true);

/// A checkpoint file mapped read-only and verified.
class File {
public:
  File() = default;
  File(const File &) = delete;
  File &operator=(const File &) = delete;
  ~File();

  [[nodiscard]] std::string open(const std::string &path,
                                 bool checkData = true);
  const std::string &path() const { return path_; }
  const Contents &contents() const { return contents_; }
  const Blob *tensor(const std::string &name) const;
  const Blob *part(const std::string &name) const;

private:
  std::string path_;
  void *mapping_ = nullptr;
  size_t size_ = 0;
  Contents contents_;
};

/// "ckpt-<steps>.kiln".
std::string fileName(int64_t steps);

struct Entry {
  int64_t steps;
  std::string path;
};
/// The checkpoint files in `dir` (none if it does not exist), newest (most
/// steps) first.
std::vector<Entry> list(const std::string &dir);

/// Which checkpoints to keep: the newest `keepLast`, every one whose steps
/// are a multiple of `keepEvery` (0: none), and the best by `bestMetric`
/// (empty: none), highest unless `bestIsMin`.
struct Retention {
  int64_t keepLast = 3;
  int64_t keepEvery = 0;
  std::string bestMetric;
  bool bestIsMin = false;
};
/// Removes the checkpoints in `dir` that `policy` does not keep.
[[nodiscard]] std::string retain(const std::string &dir,
                                 const Retention &policy);

/// Removes temporary files a killed save left in `dir`.
void removeTemporaries(const std::string &dir);

/// Tests: makes the next saves fail, as a full disk does, once `bytes`
/// bytes of a file are written; negative restores normal writes.
void failWritesAfterForTesting(int64_t bytes);

/// One tensor of a safetensors file.
struct NamedTensor {
  std::string name, dtype; ///< dtype as safetensors spells it: "F32", ...
  std::vector<int64_t> shape;
  std::string bytes;
};
/// Reads a safetensors file.
[[nodiscard]] std::string readSafetensors(const std::string &path,
                                          std::vector<NamedTensor> &out);

} // namespace kiln::checkpoint

#endif // KILN_CHECKPOINT_H
