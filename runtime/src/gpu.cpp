//===- gpu.cpp - The C ABI of --device cuda -------------------------------===//

#include "run.h"

#include <cstdio>

namespace kiln {

void openGPU(kiln_run *run) {
  if (run->options.device != KILN_DEVICE_CUDA)
    return;
  std::string error;
  run->gpu = cuda::Executor::create(run->kernelBundle,
                                    size_t(run->kernelBundleSize), error);
  if (!run->gpu)
    fatal(run, "--device cuda: " + error);
  std::fprintf(stderr, "%s: on %s\n", run->experiment.c_str(),
               run->gpu->deviceName().c_str());
}

void syncFromGPU(kiln_run *run) {
  std::string error;
  if (run->gpu && !run->gpu->syncAll(error))
    fatal(run, "copying buffers from the GPU: " + error);
}

void takeFromGPU(kiln_run *run) {
  std::string error;
  if (run->gpu && !run->gpu->hostUseAll(error))
    fatal(run, "copying buffers from the GPU: " + error);
}

} // namespace kiln

void kiln_run_use_kernels(kiln_run *run, const void *bundle, int64_t size) {
  if (run->started)
    kiln::fatal(run, "internal error: kernels declared after kiln_run_start");
  run->kernelBundle = bundle;
  run->kernelBundleSize = size;
  kiln_run_supports_device(run, KILN_DEVICE_CUDA);
}

int32_t kiln_run_on_gpu(const kiln_run *run) { return run->gpu != nullptr; }

void kiln_run_invoke_gpu(kiln_run *run, int32_t function, void *const *buffers,
                         int64_t count) {
  std::string error;
  if (!run->gpu)
    kiln::fatal(run, "internal error: a GPU function called on the CPU");
  if (!run->gpu->invoke(function, buffers, size_t(count), error))
    kiln::fatal(run, "on the GPU: " + error);
}

void kiln_run_host_use(kiln_run *run, void *buffer) {
  std::string error;
  if (run->gpu && !run->gpu->hostUse(buffer, error))
    kiln::fatal(run, "copying a buffer from the GPU: " + error);
}
