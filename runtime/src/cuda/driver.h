//===- driver.h - The CUDA driver API and cuBLAS, loaded at run time ------===//
//
// Internal to the runtime. A program built with CUDA support must still
// start on a machine without a GPU, so nothing from CUDA is linked:
// libcuda.so.1 and libcublas are opened with dlopen on first use and their
// entry points resolved by name. Every call's status is checked; a failing
// call returns false and error() names it and says why.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_CUDA_DRIVER_H
#define KILN_RUNTIME_CUDA_DRIVER_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln::cuda {

using DevicePtr = unsigned long long;
using Module = void *;
using Function = void *;
using Stream = void *;
using Graph = void *;
using GraphExec = void *;
using Event = void *;

class Driver {
public:
  /// The driver with a current context and a stream on device 0, or null
  /// with `why` saying why there is none (no libcuda, no device, a device
  /// older than sm_80). Loaded once per process.
  static Driver *get(std::string &why);

  /// "sm_90" for a device of compute capability 9.x or newer, else "sm_80":
  /// the PTX Kiln emits, which the driver compiles for the device.
  const std::string &chip() const { return deviceChip; }
  /// "NVIDIA H100 80GB HBM3".
  const std::string &name() const { return deviceName; }
  const std::string &error() const { return lastError; }

  bool loadModule(const std::string &ptx, Module &module);
  bool function(Module module, const std::string &name, Function &function);
  bool alloc(size_t bytes, DevicePtr &ptr);
  bool free(DevicePtr ptr);
  /// Copies on the driver's stream; downloads wait for the stream.
  bool upload(DevicePtr dst, const void *src, size_t bytes);
  bool download(void *dst, DevicePtr src, size_t bytes);
  bool copy(DevicePtr dst, DevicePtr src, size_t bytes);
  /// Sets every byte to `value`: 0xFF makes every f32 a NaN.
  bool fill(DevicePtr dst, uint8_t value, size_t bytes);
  /// `params` points at each kernel parameter's value, in order.
  bool launch(Function function, const uint32_t grid[3],
              const uint32_t block[3], void **params);
  /// Row-major c = op(a) @ op(b) (+ c when `accumulate`), f32 on cuBLAS
  /// with FP32 compute: `m` x `n` result, inner dimension `k`, leading
  /// dimensions in elements.
  bool gemm(bool transposeA, bool transposeB, bool accumulate, int64_t m,
            int64_t n, int64_t k, DevicePtr a, int64_t lda, DevicePtr b,
            int64_t ldb, DevicePtr c, int64_t ldc);
  /// The same for `batches` products at element strides `strideA`,
  /// `strideB` (0 repeats the operand) and `strideC`.
  bool gemmBatched(bool transposeA, bool transposeB, bool accumulate, int64_t m,
                   int64_t n, int64_t k, DevicePtr a, int64_t lda,
                   int64_t strideA, DevicePtr b, int64_t ldb, int64_t strideB,
                   DevicePtr c, int64_t ldc, int64_t strideC, int64_t batches);
  /// y = a x (+ y when `accumulate`) for a column-major `m` x `n` matrix
  /// `a` (leading dimension `m`).
  bool gemv(bool accumulate, int64_t m, int64_t n, DevicePtr a, DevicePtr x,
            DevicePtr y);
  bool synchronize();

  /// CUDA graphs: what the stream does between beginCapture and endCapture
  /// is recorded, not run; launchGraph replays it.
  bool beginCapture();
  bool endCapture(GraphExec &exec);
  bool launchGraph(GraphExec exec);
  void destroyGraph(GraphExec exec);

  /// Timing (KILN_CUDA_PROFILE): an event recorded on the stream, and the
  /// milliseconds between two once both have happened.
  bool record(Event &event);
  bool elapsed(Event start, Event end, float &milliseconds);

  struct Api;
  struct Blas;

private:
  Driver() = default;
  bool check(int status, const char *call);
  bool loadBlas();

  Api *api = nullptr;
  Blas *blas = nullptr;
  Stream stream = nullptr;
  DevicePtr blasWorkspace = 0;
  std::string deviceChip, deviceName, lastError;
};

} // namespace kiln::cuda

#endif // KILN_RUNTIME_CUDA_DRIVER_H
