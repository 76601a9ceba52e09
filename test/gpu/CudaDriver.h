//===- CudaDriver.h - The CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// The GPU tests must build and skip on machines without a GPU, so they link
// nothing from CUDA: libcuda.so.1 is opened with dlopen and the few driver
// entry points the tests use are resolved by name. Every call's status is
// checked and turned into an llvm::Error naming the call.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_GPU_CUDADRIVER_H
#define KILN_TEST_GPU_CUDADRIVER_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::cuda {

using DevicePtr = unsigned long long;
using Module = void *;
using Function = void *;

class Driver {
public:
  /// The driver with a current context on device 0, or an error saying why
  /// there is none (no libcuda, no device, ...). Loaded once.
  static llvm::Expected<Driver &> get();

  /// "sm_90" for a compute capability 9.0 device.
  const std::string &chip() const { return deviceChip; }

  llvm::Expected<Module> loadModule(const std::string &ptx);
  llvm::Expected<Function> function(Module module, const std::string &name);
  llvm::Expected<DevicePtr> alloc(size_t bytes);
  llvm::Error free(DevicePtr ptr);
  llvm::Error upload(DevicePtr dst, const void *src, size_t bytes);
  llvm::Error download(void *dst, DevicePtr src, size_t bytes);
  /// Sets every byte to `value`: 0xFF makes every f32 a NaN.
  llvm::Error fill(DevicePtr dst, uint8_t value, size_t bytes);
  /// `params` points at each kernel parameter's value, in order.
  llvm::Error launch(Function function, const int64_t grid[3],
                     const int64_t block[3], std::vector<void *> &params);
  llvm::Error synchronize();
  /// Row-major c = op(a) @ op(b) (+ c when `accumulate`) through cuBLAS,
  /// loaded on first use: `m` x `n` result, inner dimension `k`, leading
  /// dimensions in elements.
  llvm::Error gemm(bool transposeA, bool transposeB, bool accumulate, int64_t m,
                   int64_t n, int64_t k, DevicePtr a, int64_t lda, DevicePtr b,
                   int64_t ldb, DevicePtr c, int64_t ldc);

  struct Api;

private:
  Driver() = default;
  llvm::Error check(int status, const char *call);

  Api *api = nullptr;
  std::string deviceChip;
  struct Blas;
  Blas *blas = nullptr;
};

} // namespace kiln::cuda

#endif // KILN_TEST_GPU_CUDADRIVER_H
