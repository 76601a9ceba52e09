//===- replay_bench.cpp - Sampling a replay batch against a train step ----===//
//
// What rehearsal adds to each step of a continual-learning loop: drawing 64
// rows from a replay buffer of Fashion-MNIST-shaped rows (784 uint8 pixels
// and an int32 label, 10000 rows, filled by reservoir) and reading them as
// the step's f32 images and int32 labels, through the C ABI that compiled
// programs call. The rows are random bytes written as IDX files to a
// temporary directory: the cost does not depend on the pixels.
//
// Usage: kiln-bench-replay TRAIN_STEP_US   (bench/run.sh passes the MLP
// train step it measured in the same run). Prints
//   BENCH replay_sample_batch64 ratio=<train step / sample> kiln=<us>
//   baseline=<us>
// the larger the ratio, the less rehearsal adds to a step.
//
//===----------------------------------------------------------------------===//

#include "kiln/program.h"
#include "kiln/runtime.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

constexpr int64_t kRows = 10000, kPixels = 784, kBatch = 64;

void writeIdx(const std::string &path, const std::vector<uint32_t> &dims,
              const std::string &data) {
  std::string bytes = {0, 0, 0x08, char(dims.size())}; // unsigned bytes
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes += char(d >> shift);
  std::ofstream(path, std::ios::binary) << bytes << data;
}

} // namespace

int main(int commandArgc, char **commandArgv) {
  double trainStepUs = commandArgc == 2 ? std::atof(commandArgv[1]) : 0;
  if (trainStepUs <= 0) {
    std::fprintf(stderr, "usage: kiln-bench-replay TRAIN_STEP_US (the MLP "
                         "train step measured in the same run)\n");
    return 2;
  }
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("kiln-replay-bench-" + std::to_string(getpid())))
                        .string();
  std::filesystem::create_directories(dir + "/data");
  std::string pixels(size_t(kRows * kPixels), '\0'), labels(size_t(kRows), 0);
  std::vector<float> noise(pixels.size());
  kiln_rng_uniform_f32(1, 0, 0, noise.data(), noise.size(), 0, 256);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = char(int(noise[i]));
  for (int64_t i = 0; i < kRows; ++i)
    labels[size_t(i)] = char(i % 10);
  writeIdx(dir + "/data/train-images-idx3-ubyte", {kRows, 28, 28}, pixels);
  writeIdx(dir + "/data/train-labels-idx1-ubyte", {kRows}, labels);

  std::string out = dir + "/out", data = dir + "/data";
  std::vector<std::string> args = {
      "replay_bench", "--out", out, "--data-dir", data, "--threads", "1"};
  std::vector<char *> argv;
  for (std::string &arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  kiln_run *run =
      kiln_run_create(int32_t(args.size()), argv.data(), "replay_bench", "");
  if (kiln_run_start(run) != -1)
    return 1;

  kiln_replay *buffer = kiln_replay_create(run, kRows, "reservoir", "uniform");
  kiln_replay_add(run, buffer,
                  kiln_data_mnist(run, "fashion_mnist", "train", nullptr), 0);

  std::vector<float> x(kBatch * kPixels);
  std::vector<int32_t> y(kBatch);
  auto sampleOnly = [&] { kiln_replay_sample(run, 0, buffer, kBatch, 0.0); };
  auto sampleAndRead = [&] {
    kiln_data *batch = kiln_replay_sample(run, 0, buffer, kBatch, 0.0);
    kiln_data_field_f32(run, batch, "x", x.data(), int64_t(x.size()));
    kiln_data_field_i32(run, batch, "y", y.data(), kBatch);
  };
  // Microseconds per call: the median of 21 runs of 2000 calls, after 1000.
  auto medianUs = [](auto call) {
    for (int i = 0; i < 1000; ++i)
      call();
    std::vector<double> perCall;
    for (int repeat = 0; repeat < 21; ++repeat) {
      auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < 2000; ++i)
        call();
      std::chrono::duration<double, std::micro> elapsed =
          std::chrono::steady_clock::now() - start;
      perCall.push_back(elapsed.count() / 2000);
    }
    std::sort(perCall.begin(), perCall.end());
    return perCall[perCall.size() / 2];
  };
  double drawUs = medianUs(sampleOnly);
  double sampleUs = medianUs(sampleAndRead);

  // Keeps the reads observable.
  float checksum = 0;
  for (float v : x)
    checksum += v;
  std::fprintf(stderr,
               "replay_bench: drawing 64 rows %.2f us, then reading them "
               "%.2f us (checksum %g)\n",
               drawUs, sampleUs - drawUs, double(checksum));
  kiln_run_finish(run);
  std::filesystem::remove_all(dir);

  std::printf("BENCH replay_sample_batch64 ratio=%.1f kiln=%.2fus "
              "baseline=%.1fus\n",
              trainStepUs / sampleUs, sampleUs, trainStepUs);
  return 0;
}
