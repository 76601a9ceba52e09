//===- checkpoint_save.cpp - What saving a checkpoint costs ---------------===//
//
// Saves checkpoints of 1.2 MB (the flagship MLP with Adam's moments), 64 MB
// and 256 MB through a run, as generated code would (--checkpoint-every 20),
// between short stand-in steps, and prints per size:
//
//   BENCH checkpoint_save_mb_per_s=... size_mb=... step_ms=... hiccup_ms=...
//
// hiccup_ms is the median extra time of a step that saved. Each save is
// fsync'ed, so the numbers are those of the disk under DIR (default: a
// temporary directory). Usage: kiln-bench-checkpoint [DIR]
//
//===----------------------------------------------------------------------===//

#include "kiln/program.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

/// Some arithmetic on `work`: a stand-in for a train step.
float step(std::vector<float> &work) {
  float sum = 0;
  for (int repeat = 0; repeat < 8; ++repeat)
    for (float &value : work) {
      value = value * 0.999f + 0.001f;
      sum += value;
    }
  return sum;
}

void bench(const std::string &dir, double megabytes) {
  constexpr int64_t kSteps = 200, kEvery = 20;
  std::string out = dir + "/run", every = std::to_string(kEvery);
  std::vector<std::string> args = {
      "bench", "--out", out, "--checkpoint-every", every, "--threads", "1"};
  std::vector<char *> argv;
  for (std::string &arg : args)
    argv.push_back(arg.data());
  kiln_run *run =
      kiln_run_create(int32_t(argv.size()), argv.data(), "bench", "sha:bench");
  if (kiln_run_start(run) != -1)
    std::exit(1);
  auto count = int64_t(megabytes * (1 << 20) / 4);
  std::vector<float> parameters(size_t(count / 3)), moments(size_t(count / 3)),
      velocities(size_t(count - 2 * (count / 3)));
  kiln_run_init_param(run, "w", KILN_INIT_NORMAL, parameters.data(),
                      int64_t(parameters.size()), 0, 0, 0, 1);
  kiln_run_register_state(run, "adam/m", moments.data(),
                          int64_t(moments.size() * 4));
  kiln_run_register_state(run, "adam/v", velocities.data(),
                          int64_t(velocities.size() * 4));
  std::vector<float> work(30000, 1.0f);
  std::vector<double> plain, saving;
  kiln_run_loop_enter(run, 0, kSteps);
  for (int64_t i = 0; i < kSteps; ++i) {
    Clock::time_point start = Clock::now();
    // The save requested by step i-1 happens here, at the boundary.
    kiln_run_loop_iter(run, 0, i);
    float loss = step(work);
    kiln_run_step_done(run, &loss);
    double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    (i > 0 && i % kEvery == 0 ? saving : plain).push_back(ms);
  }
  kiln_run_loop_exit(run, 0);
  kiln_run_finish(run);
  double stepMs = median(plain), hiccupMs = median(saving) - stepMs;
  double size =
      double(std::filesystem::file_size(out + "/checkpoints/ckpt-" +
                                        std::to_string(kSteps) + ".kiln")) /
      (1 << 20);
  std::printf("BENCH checkpoint_save_mb_per_s=%.0f size_mb=%.1f step_ms=%.2f "
              "hiccup_ms=%.2f\n",
              size / (hiccupMs / 1000), size, stepMs, hiccupMs);
  std::fflush(stdout);
  std::filesystem::remove_all(out);
}

} // namespace

int main(int argc, char **argv) {
  std::string dir =
      argc > 1
          ? argv[1]
          : (std::filesystem::temp_directory_path() / "kiln-bench-checkpoint")
                .string();
  std::filesystem::create_directories(dir);
  for (double megabytes : {1.2, 64.0, 256.0})
    bench(dir, megabytes);
  return 0;
}
