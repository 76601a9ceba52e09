//===- executor.h - Graph functions of a kernel bundle on the GPU ---------===//
//
// Internal to the runtime. A native program keeps its buffers in host
// memory, where data, metrics and checkpoints read and write them; with
// --device cuda its graph functions run on the GPU from the kernel bundle
// compiled into it (kernels.fbs). Each host buffer a function is given gets
// a device copy, its mirror, which stays on the GPU between calls: the
// parameters and optimizer state of a training loop are uploaded once. A
// mirror is uploaded only when the host changed the buffer, and the host's
// copy is brought up to date only when the host uses it (hostUse, before
// the host program touches a buffer; syncAll, before checkpoints read
// everything).
//
// A function's launches are recorded into a CUDA graph on its second call
// with the same buffers and replayed after that (KILN_CUDA_GRAPHS=0 turns
// this off). KILN_CUDA_PROFILE=1 times every step instead (no graphs) and
// prints the steps that took longest when the executor goes. Results are
// bit-identical from run to run: no kernel uses atomics, every reduction runs
// in a fixed order, and cuBLAS is deterministic on a given GPU and toolkit.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_CUDA_EXECUTOR_H
#define KILN_RUNTIME_CUDA_EXECUTOR_H

#include "driver.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::bundle {
struct Bundle;
struct Function;
struct Step;
} // namespace kiln::bundle

namespace kiln::cuda {

/// Device memory, kept for reuse when freed: blocks of one rounded size are
/// handed out again before the driver is asked for more.
class DeviceAllocator {
public:
  explicit DeviceAllocator(Driver &driver) : driver(driver) {}
  bool allocate(size_t bytes, DevicePtr &ptr);
  void release(DevicePtr ptr, size_t bytes);

private:
  static size_t rounded(size_t bytes);
  Driver &driver;
  std::map<size_t, std::vector<DevicePtr>> freeBlocks;
};

/// Whether `size` bytes at `bytes` (8-byte aligned) are a well-formed
/// kernel bundle whose every index and view is in bounds; else false with
/// `error` saying what is wrong. Needs no GPU.
bool verifyBundle(const void *bytes, size_t size, std::string &error);

class Executor {
public:
  /// Verifies `bundle` (a copy is kept) and opens the GPU; null with
  /// `error` saying why when either fails.
  static std::unique_ptr<Executor> create(const void *bundle, size_t size,
                                          std::string &error);
  ~Executor();

  const std::string &deviceName() const { return driver.name(); }
  /// The index of the function named `name`, or -1.
  int32_t functionIndex(std::string_view name) const;

  /// Runs function `index` on `count` host buffers, in exp.invoke's order
  /// (inputs, then out-parameters). Asynchronous: results reach the host
  /// when it uses them.
  bool invoke(int32_t index, void *const *buffers, size_t count,
              std::string &error);
  /// Before the host reads or writes `buffer`: brings the host's copy up to
  /// date and treats the device's as stale.
  bool hostUse(void *buffer, std::string &error);
  /// Brings the host's copy of every buffer up to date (the device's stay
  /// valid): before a checkpoint or an export reads them.
  bool syncAll(std::string &error);
  /// hostUse of every buffer: before the runtime writes buffers the host
  /// program did not hand it (restoring a checkpoint).
  bool hostUseAll(std::string &error);

private:
  struct Mirror {
    DevicePtr ptr = 0;
    size_t bytes = 0;
    bool hostValid = true, deviceValid = false;
  };
  struct Loaded;

  explicit Executor(Driver &driver);
  bool prepare(int32_t index, std::string &error);
  bool mirrorOf(void *buffer, size_t bytes, Mirror *&mirror,
                std::string &error);
  bool run(Loaded &f, std::string &error);
  /// KILN_CUDA_PROFILE: runs `f`'s steps one by one between events.
  bool runTimed(Loaded &f, std::string &error);
  bool issue(Loaded &f, size_t step);
  static int64_t splitsOf(const bundle::Step &step);
  bool makeOnes();
  void printProfile() const;
  bool fail(std::string &error, const std::string &what);

  Driver &driver;
  DeviceAllocator allocator;
  /// Ones on the device, to sum the partial products of split GEMMs.
  DevicePtr ones = 0;
  std::vector<uint8_t> bytes;
  const bundle::Bundle *root = nullptr;
  /// Per module of the bundle: loaded on first use.
  std::vector<Module> modules;
  std::vector<std::unique_ptr<Loaded>> functions;
  std::unordered_map<void *, Mirror> mirrors;
  bool useGraphs = true, profile = false;
};

} // namespace kiln::cuda

#endif // KILN_RUNTIME_CUDA_EXECUTOR_H
