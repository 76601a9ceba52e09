//===- kiln-gpu-cases.cpp - Check written GPU test cases on a GPU ---------===//
//
//   kiln-gpu-cases DIR...
//
// Runs each case that kiln-gpu-tests wrote (KILN_GPU_CASES, CaseFiles.h)
// through the runtime's executor three times (launches, graph recording,
// replay) and compares every result with the CPU's. Links the runtime only,
// so that it runs on GPU machines without MLIR. Prints one line per case,
// "[ kiln-gpu ] NAME max-rel-error E pass|FAIL"; exits 1 if any case fails
// and 77 (skipped) when there is no usable GPU.
//
//===----------------------------------------------------------------------===//

#include "CaseFiles.h"
#include "cuda/executor.h"

#include <cstdio>
#include <cstring>

int main(int argc, char **argv) {
  constexpr double kTolerance = 1e-5;
  bool failed = false;
  for (int a = 1; a < argc; ++a) {
    std::string dir = argv[a];
    std::string name = dir.substr(dir.find_last_of('/') + 1);
    kiln::gpucases::Files files;
    std::string error = kiln::gpucases::read(dir, files);
    if (!error.empty()) {
      std::fprintf(stderr, "kiln-gpu-cases: %s\n", error.c_str());
      return 1;
    }
    std::unique_ptr<kiln::cuda::Executor> gpu = kiln::cuda::Executor::create(
        files.bundle.data(), files.bundle.size(), error);
    if (!gpu) {
      std::fprintf(stderr, "kiln-gpu-cases: skipped: %s\n", error.c_str());
      return 77;
    }
    std::vector<std::string> results(files.results.size());
    std::vector<void *> buffers;
    for (std::string &input : files.inputs)
      buffers.push_back(input.data());
    for (size_t i = 0; i < results.size(); ++i) {
      results[i].assign(files.results[i].size(), '\xFF');
      buffers.push_back(results[i].data());
    }
    auto worstOf = [](const std::string &gpu, const std::string &cpu) {
      return kiln::gpucases::relativeError(
          reinterpret_cast<const float *>(gpu.data()),
          reinterpret_cast<const float *>(cpu.data()), int64_t(gpu.size() / 4));
    };
    std::vector<std::string> original = files.inputs;
    double worst = 0;
    for (int call = 0; call < 3 && error.empty(); ++call) {
      // Each call starts from the original inputs (a train step updates
      // some in place) and must leave them as the CPU did.
      for (size_t i = 0; i < files.inputs.size() && error.empty(); ++i)
        if (gpu->hostUse(files.inputs[i].data(), error))
          files.inputs[i].replace(0, original[i].size(), original[i]);
      if (!error.empty() ||
          !gpu->invoke(0, buffers.data(), buffers.size(), error))
        break;
      for (size_t i = 0; i < files.inputs.size() && error.empty(); ++i)
        if (gpu->hostUse(files.inputs[i].data(), error) && files.floatInputs[i])
          worst = std::max(worst, worstOf(files.inputs[i], files.after[i]));
      for (size_t i = 0; i < results.size() && error.empty(); ++i) {
        if (!gpu->hostUse(results[i].data(), error))
          break;
        worst = std::max(worst, worstOf(results[i], files.results[i]));
        std::memset(results[i].data(), 0xFF, results[i].size());
      }
    }
    bool pass = error.empty() && worst <= kTolerance;
    failed |= !pass;
    std::printf("[ kiln-gpu ] %s max-rel-error %.3g %s\n", name.c_str(), worst,
                pass ? "pass" : "FAIL");
    if (!error.empty())
      std::printf("  %s\n", error.c_str());
  }
  return failed ? 1 : 0;
}
