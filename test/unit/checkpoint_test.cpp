//===- checkpoint_test.cpp - Checkpoints and resuming of runs -------------===//
//
// Drives kiln_run through the C ABI as generated code does: a small program
// of nested loops whose steps update registered tensors and log, run whole,
// interrupted (a child that dies or gets a signal) and resumed.
//
//===----------------------------------------------------------------------===//

#include "RunSupport.h"
#include "ScratchDir.h"

#include "kiln/checkpoint.h"
#include "kiln/program.h"
#include "kiln/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <regex>
#include <zlib.h>

namespace {

namespace ckpt = kiln::checkpoint;
using kiln::test::Argv;
using kiln::test::readFile;
using kiln::test::ScratchDir;
using kiln::test::writeFile;
using testing::ExitedWithCode;
using testing::HasSubstr;

constexpr int64_t kBatches = 4;

/// How a run of the program goes.
struct Script {
  std::vector<std::string> args;
  const char *hash = "sha:sim";
  /// In a child: _exit(9) (a kill) right after this many steps.
  int64_t dieAfter = -1;
  /// raise(signal) right after this many steps.
  int64_t signalAfter = -1;
  int signal = 0;
  /// `checkpoint "epoch"` after each epoch.
  bool checkpointEpochs = false;
  /// Capture stderr (into `printed`); death tests need it left alone.
  bool capture = true;
};

struct State {
  std::vector<float> w = std::vector<float>(37);
  std::vector<double> m = std::vector<double>(5);
  bool operator==(const State &other) const {
    return std::memcmp(w.data(), other.w.data(), w.size() * 4) == 0 &&
           std::memcmp(m.data(), other.m.data(), m.size() * 8) == 0;
  }
};

/// The program: epochs of kBatches train steps, then an evaluation loop.
State runProgram(const Script &script, std::string *printed = nullptr) {
  if (script.capture)
    testing::internal::CaptureStderr();
  Argv argv(script.args);
  kiln_run *run = kiln_run_create(argv.argc(), argv.argv(), "sim", script.hash);
  int64_t epochsIndex = kiln_run_declare_int(run, "epochs", 3, 0);
  EXPECT_EQ(kiln_run_start(run), -1);
  int64_t epochs = kiln_run_int(run, epochsIndex);
  State state;
  kiln_run_init_param(run, "w", KILN_INIT_UNIFORM, state.w.data(), 37, 0, 0, -1,
                      1);
  kiln_run_register_state(run, "m", state.m.data(), 5 * sizeof(double));
  int64_t steps = 0;
  for (int64_t e = kiln_run_loop_enter(run, 0, epochs); e < epochs; ++e) {
    kiln_run_loop_iter(run, 0, e);
    for (int64_t b = kiln_run_loop_enter(run, 1, kBatches); b < kBatches; ++b) {
      kiln_run_loop_iter(run, 1, b);
      float loss = 0;
      if (kiln_run_live(run)) {
        for (size_t i = 0; i < state.w.size(); ++i) {
          state.w[i] = state.w[i] * 0.875f + float(e * 3 + b) * 0.01f;
          loss += state.w[i];
        }
        state.m[size_t(b) % 5] += double(loss);
        kiln_run_step_done(run, &loss);
        ++steps;
        if (steps == script.dieAfter)
          _exit(9);
        if (steps == script.signalAfter)
          raise(script.signal);
      }
      kiln_run_tag_int(run, "epoch", e);
      kiln_run_log_f32(run, "train/loss", loss);
    }
    kiln_run_loop_exit(run, 1);
    for (int64_t k = kiln_run_loop_enter(run, 2, 2); k < 2; ++k) {
      kiln_run_loop_iter(run, 2, k);
      kiln_run_hole_int(run, k);
      kiln_run_log_f64(run, "eval/part{k}", state.w[size_t(k)]);
    }
    kiln_run_loop_exit(run, 2);
    if (script.checkpointEpochs)
      kiln_run_checkpoint(run, "epoch");
    kiln_run_log_f64(run, "acc", double(state.m[0]) * 1e-3);
  }
  kiln_run_loop_exit(run, 0);
  EXPECT_EQ(kiln_run_finish(run), 0);
  if (script.capture) {
    std::string text = testing::internal::GetCapturedStderr();
    if (printed)
      *printed = text;
  }
  return state;
}

/// metrics.jsonl without the wall-clock times.
std::string metricsSansTime(const std::string &out) {
  static const std::regex time(",\"time\":[-+.0-9eE]+");
  return std::regex_replace(readFile(out + "/metrics.jsonl"), time, "");
}

/// Runs `script` in a child, which must end with `expectedStatus`.
void runChild(const Script &script, int expectedStatus) {
  std::fflush(nullptr);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDERR_FILENO);
    runProgram(script);
    _exit(0);
  }
  int status;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), expectedStatus);
}

std::vector<int64_t> checkpointSteps(const std::string &out) {
  std::vector<int64_t> steps;
  for (const ckpt::Entry &entry : ckpt::list(out + "/checkpoints"))
    steps.push_back(entry.steps);
  return steps;
}

class CheckpointRun : public testing::Test {
protected:
  void SetUp() override {
    reference_ = runProgram({{"--out", dir_ / "reference", "--seed", "4"}});
    referenceMetrics_ = metricsSansTime(dir_ / "reference");
  }

  ScratchDir dir_;
  State reference_;
  std::string referenceMetrics_;
};

TEST_F(CheckpointRun, AResumedRunEndsAsAnUninterruptedOne) {
  // Killed after every possible step, saving every 3 steps (some saves at a
  // loop's exit, where step 4k ends an epoch) or after every epoch.
  for (bool epochs : {false, true})
    for (int64_t dieAfter = 1; dieAfter <= 3 * kBatches; ++dieAfter) {
      SCOPED_TRACE("dying after step " + std::to_string(dieAfter) +
                   (epochs ? ", checkpoints after epochs" : ""));
      std::string out = dir_ / ("run" + std::to_string(dieAfter));
      Script script{{"--out", out, "--seed", "4"}};
      if (epochs)
        script.checkpointEpochs = true;
      else
        script.args.insert(script.args.end(), {"--checkpoint-every", "3"});
      script.dieAfter = dieAfter;
      runChild(script, 9);
      script.dieAfter = -1;
      script.args.push_back("--resume");
      std::string printed;
      State resumed = runProgram(script, &printed);
      EXPECT_TRUE(resumed == reference_);
      EXPECT_EQ(metricsSansTime(out), referenceMetrics_);
      // A save comes at the loop boundary after its step.
      bool hadCheckpoint = epochs ? dieAfter > kBatches : dieAfter > 3;
      EXPECT_THAT(printed, HasSubstr(hadCheckpoint ? "resuming from "
                                                   : "starting afresh"));
    }
}

TEST_F(CheckpointRun, ResumingExtendsAFinishedRun) {
  std::string out = dir_ / "short";
  Script script{{"--out", out, "--seed", "4", "--epochs", "2",
                 "--checkpoint-every", "4"}};
  runProgram(script);
  EXPECT_EQ(checkpointSteps(out), (std::vector<int64_t>{8, 4}));
  // Saved at the exit of the batch loop in epoch 1: the rest of epoch 1
  // (evaluation, "acc") and epoch 2 run after the resume.
  script.args = {"--out", out, "--seed", "4", "--epochs", "3", "--resume"};
  std::string printed;
  EXPECT_TRUE(runProgram(script, &printed) == reference_);
  EXPECT_THAT(printed, HasSubstr("resuming from " + out +
                                 "/checkpoints/ckpt-8.kiln (step 8, loop 0 "
                                 "iteration 1, loop 1 iteration 4)"));
  EXPECT_EQ(metricsSansTime(out), referenceMetrics_);
}

TEST_F(CheckpointRun, SignalsSaveAndExit) {
  for (auto [signal, status] : {std::pair{SIGTERM, 143}, {SIGINT, 130}}) {
    std::string out = dir_ / ("signal" + std::to_string(signal));
    Script script{{"--out", out, "--seed", "4"}};
    script.signalAfter = 6;
    script.signal = signal;
    runChild(script, status);
    EXPECT_EQ(checkpointSteps(out), std::vector<int64_t>{6});
    script.signalAfter = -1;
    script.args.push_back("--resume");
    std::string printed;
    EXPECT_TRUE(runProgram(script, &printed) == reference_);
    EXPECT_EQ(metricsSansTime(out), referenceMetrics_);
  }
  // The run restored the handlers it found.
  struct sigaction current;
  sigaction(SIGTERM, nullptr, &current);
  EXPECT_EQ(current.sa_handler, SIG_DFL);
}

TEST_F(CheckpointRun, FallsBackPastDamagedCheckpoints) {
  std::string out = dir_ / "damaged";
  Script script{{"--out", out, "--seed", "4", "--checkpoint-every", "3"}};
  runProgram(script);
  EXPECT_EQ(checkpointSteps(out), (std::vector<int64_t>{12, 9, 6}));
  std::string newest = out + "/checkpoints/ckpt-12.kiln";
  std::string bytes = readFile(newest);
  ckpt::Contents contents;
  ASSERT_EQ(ckpt::parse(reinterpret_cast<const uint8_t *>(bytes.data()),
                        bytes.size(), newest, contents),
            "");
  bytes[size_t(static_cast<const char *>(contents.tensors[0].data) -
               bytes.data()) +
        5] ^= 1;
  writeFile(newest, bytes);
  std::string middle = out + "/checkpoints/ckpt-9.kiln";
  writeFile(middle, readFile(middle).substr(0, 300));

  script.args.push_back("--resume");
  std::string printed;
  EXPECT_TRUE(runProgram(script, &printed) == reference_);
  EXPECT_THAT(printed, HasSubstr("warning: skipping checkpoint " + newest +
                                 ": tensor 'w' fails its CRC-32C check"));
  EXPECT_THAT(printed, HasSubstr("warning: skipping checkpoint " + middle +
                                 ": truncated"));
  EXPECT_THAT(printed,
              HasSubstr("resuming from " + out + "/checkpoints/ckpt-6.kiln"));
  EXPECT_EQ(metricsSansTime(out), referenceMetrics_);
  // Saved afresh as the run went on.
  EXPECT_EQ(checkpointSteps(out), (std::vector<int64_t>{12, 9, 6}));
  ckpt::File file;
  EXPECT_EQ(file.open(newest), "");
}

TEST_F(CheckpointRun, ACheckpointPastTheMetricsIsSkipped) {
  std::string out = dir_ / "short-metrics";
  Script script{{"--out", out, "--seed", "4", "--checkpoint-every", "6"}};
  runProgram(script);
  ckpt::File six;
  ASSERT_EQ(six.open(out + "/checkpoints/ckpt-6.kiln"), "");
  // As if a power loss lost lines the newest checkpoint had seen.
  std::filesystem::resize_file(out + "/metrics.jsonl",
                               six.contents().metricsSize + 10);
  script.args.push_back("--resume");
  std::string printed;
  EXPECT_TRUE(runProgram(script, &printed) == reference_);
  EXPECT_THAT(printed, HasSubstr("ckpt-12.kiln: metrics.jsonl has "));
  EXPECT_EQ(metricsSansTime(out), referenceMetrics_);
}

TEST_F(CheckpointRun, WithoutACheckpointResumeStartsAfresh) {
  std::string out = dir_ / "none";
  Script script{{"--out", out, "--seed", "4", "--resume"}};
  std::string printed;
  EXPECT_TRUE(runProgram(script, &printed) == reference_);
  EXPECT_THAT(printed, HasSubstr("warning: --resume: no checkpoint in " + out +
                                 "/checkpoints; starting afresh"));
  EXPECT_EQ(metricsSansTime(out), referenceMetrics_);
}

TEST_F(CheckpointRun, AFreshRunRemovesEarlierCheckpoints) {
  std::string out = dir_ / "fresh";
  runProgram({{"--out", out, "--seed", "4", "--checkpoint-every", "5"}});
  EXPECT_EQ(checkpointSteps(out), (std::vector<int64_t>{10, 5}));
  runProgram({{"--out", out, "--seed", "4", "--checkpoint-every", "6"}});
  EXPECT_EQ(checkpointSteps(out), (std::vector<int64_t>{12, 6}));
}

/// The values of metric `name` in metrics.jsonl, in order.
std::vector<double> logged(const std::string &out, const std::string &name) {
  std::string text = readFile(out + "/metrics.jsonl");
  std::regex line("\"name\":\"" + name + "\",\"value\":([-+.0-9eE]+)");
  std::vector<double> values;
  for (auto match = std::sregex_iterator(text.begin(), text.end(), line);
       match != std::sregex_iterator(); ++match)
    values.push_back(std::stod((*match)[1].str()));
  return values;
}

TEST_F(CheckpointRun, RetentionFlagsApply) {
  // "acc" is logged after each epoch's evaluation, after the save at the
  // epoch's last step: the checkpoints at steps 5..8 saw the first value,
  // 9..12 the second.
  std::vector<double> acc = logged(dir_ / "reference", "acc");
  ASSERT_EQ(acc.size(), 3u);
  for (bool least : {false, true}) {
    std::string out = dir_ / (least ? "least" : "most");
    Script script{{"--out", out, "--seed", "4", "--checkpoint-every", "1",
                   "--keep-checkpoints", "2", "--keep-every", "5",
                   "--keep-best", "acc"}};
    if (least)
      script.args.push_back("--keep-best-min");
    runProgram(script);
    // Of equal values the newest is kept: 8 or 12 (kept anyway).
    bool firstIsBest = least ? acc[0] < acc[1] : acc[0] > acc[1];
    EXPECT_EQ(checkpointSteps(out),
              firstIsBest ? (std::vector<int64_t>{12, 11, 10, 8, 5})
                          : (std::vector<int64_t>{12, 11, 10, 5}));
  }
}

using CheckpointRunDeathTest = CheckpointRun;

TEST_F(CheckpointRunDeathTest, AnotherProgramIsRefused) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string out = dir_ / "other";
  runProgram({{"--out", out, "--seed", "4", "--checkpoint-every", "3"}});
  Script script{{"--out", out, "--seed", "4", "--resume"}};
  script.capture = false;
  script.hash = "sha:other";
  EXPECT_EXIT(runProgram(script), ExitedWithCode(1),
              "error: .*ckpt-12.kiln was saved by another program \\(source "
              "hash sha:sim; this program's is sha:other\\)");
  script.hash = "sha:sim";
  script.args = {"--out", out, "--seed", "5", "--resume"};
  EXPECT_EXIT(runProgram(script), ExitedWithCode(1),
              "was saved with --seed 4, this run has --seed 5");
}

TEST_F(CheckpointRunDeathTest, AFailedSaveIsAnErrorAndKeepsThePrevious) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string out = dir_ / "full";
  runProgram({{"--out", out, "--seed", "4", "--checkpoint-every", "5"}});
  std::string previous = readFile(out + "/checkpoints/ckpt-10.kiln");
  Script script{
      {"--out", out, "--seed", "4", "--checkpoint-every", "5", "--resume"}};
  // The resumed run's save at step 15 fails like a full disk.
  EXPECT_EXIT(
      {
        ckpt::failWritesAfterForTesting(100);
        Script longer = script;
        longer.args.insert(longer.args.end(), {"--epochs", "4"});
        longer.capture = false;
        runProgram(longer);
      },
      ExitedWithCode(1),
      "error: cannot save checkpoint: .*/checkpoints/\\.ckpt-15\\.kiln\\.tmp: "
      "No space left on device");
  EXPECT_EQ(readFile(out + "/checkpoints/ckpt-10.kiln"), previous);
  EXPECT_FALSE(std::filesystem::exists(out + "/checkpoints/ckpt-15.kiln"));

  // An output directory where checkpoints cannot go.
  std::string blocked = dir_ / "blocked";
  std::filesystem::create_directories(blocked);
  writeFile(blocked + "/checkpoints", "a file");
  Script unsaved{{"--out", blocked, "--checkpoint-every", "2"}};
  unsaved.capture = false;
  EXPECT_EXIT(runProgram(unsaved), ExitedWithCode(1),
              "error: cannot save checkpoint: .*checkpoints");
}

TEST_F(CheckpointRunDeathTest, AStepWhileReplayingIsAnInternalError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string out = dir_ / "misuse";
  runProgram({{"--out", out, "--seed", "4", "--checkpoint-every", "6"}});
  Argv argv{"--out", out, "--seed", "4", "--resume"};
  EXPECT_EXIT(
      {
        kiln_run *run =
            kiln_run_create(argv.argc(), argv.argv(), "sim", "sha:sim");
        kiln_run_declare_int(run, "epochs", 3, 0);
        kiln_run_start(run);
        kiln_run_step_done(run, nullptr);
      },
      ExitedWithCode(1),
      "internal error: a train step ran while the run was "
      "replaying");
}

TEST_F(CheckpointRun, NoSaveLandsInsideALoopThatCarriesValues) {
  std::string out = dir_ / "carrying";
  Argv argv{"--out", out, "--checkpoint-every", "1"};
  kiln_run *run = kiln_run_create(argv.argc(), argv.argv(), "sim", "sha:sim");
  ASSERT_EQ(kiln_run_start(run), -1);
  float loss = 1;
  // An outer loop of 2; inside, a loop carrying a sum over 3 steps.
  kiln_run_loop_enter(run, 0, 2);
  for (int64_t i = 0; i < 2; ++i) {
    kiln_run_loop_iter(run, 0, i);
    kiln_run_loop_carries(run, 1);
    kiln_run_loop_enter(run, 1, 3);
    for (int64_t j = 0; j < 3; ++j) {
      kiln_run_loop_iter(run, 1, j);
      kiln_run_step_done(run, &loss);
    }
    kiln_run_loop_exit(run, 1);
  }
  kiln_run_loop_exit(run, 0);
  testing::internal::CaptureStderr();
  kiln_run_finish(run);
  testing::internal::GetCapturedStderr();
  // Requested after every step, the saves waited for the outer boundaries:
  // the start of the second outer iteration and the outer loop's exit.
  EXPECT_EQ(checkpointSteps(out), (std::vector<int64_t>{6, 3}));
}

TEST_F(CheckpointRun, LoopBoundariesAllocateNothingWithoutASave) {
  Argv argv{"--out", dir_ / "quiet", "--checkpoint-every", "1000000"};
  kiln_run *run = kiln_run_create(argv.argc(), argv.argv(), "sim", "sha:sim");
  ASSERT_EQ(kiln_run_start(run), -1);
  float loss = 1;
  kiln_run_loop_enter(run, 0, 1000);
  kiln_run_loop_iter(run, 0, 0);
  uint64_t before = kiln::test::operatorNewCalls();
  for (int64_t i = 1; i < 1000; ++i) {
    kiln_run_loop_iter(run, 0, i);
    kiln_run_step_done(run, &loss);
  }
  EXPECT_EQ(kiln::test::operatorNewCalls(), before);
  kiln_run_loop_exit(run, 0);
  testing::internal::CaptureStderr();
  kiln_run_finish(run);
  testing::internal::GetCapturedStderr();
}

/// The .npy files of a stored zip, by name, parsed to floats.
std::map<std::string, std::pair<std::string, std::vector<float>>>
readNpz(const std::string &bytes) {
  std::map<std::string, std::pair<std::string, std::vector<float>>> arrays;
  auto u16 = [&](size_t at) {
    return uint32_t(uint8_t(bytes[at])) | uint32_t(uint8_t(bytes[at + 1])) << 8;
  };
  auto u32 = [&](size_t at) { return u16(at) | u16(at + 2) << 16; };
  size_t at = 0;
  while (at + 30 <= bytes.size() && u32(at) == 0x04034b50) {
    EXPECT_EQ(u16(at + 8), 0u) << "stored";
    uint32_t size = u32(at + 18), nameLength = u16(at + 26);
    std::string name = bytes.substr(at + 30, nameLength);
    std::string data = bytes.substr(at + 30 + nameLength, size);
    EXPECT_EQ(crc32(0, reinterpret_cast<const Bytef *>(data.data()),
                    uInt(data.size())),
              u32(at + 14));
    EXPECT_EQ(data.substr(0, 8), std::string("\x93NUMPY\x01\0", 8));
    size_t headerLength = uint8_t(data[8]) | size_t(uint8_t(data[9])) << 8;
    EXPECT_EQ((10 + headerLength) % 64, 0u);
    std::string header = data.substr(10, headerLength);
    std::vector<float> values((data.size() - 10 - headerLength) / 4);
    std::memcpy(values.data(), data.data() + 10 + headerLength,
                values.size() * 4);
    arrays[name] = {header, values};
    at += 30 + nameLength + size;
  }
  EXPECT_EQ(u32(at), 0x02014b50u) << "the central directory follows";
  return arrays;
}

TEST_F(CheckpointRun, ExportsParametersAndInitializesFromThem) {
  std::string out = dir_ / "export";
  runProgram({{"--out", out, "--seed", "4", "--checkpoint-every", "12"}});
  std::string checkpoint = out + "/checkpoints/ckpt-12.kiln";
  std::string safetensors = dir_ / "w.safetensors", npz = dir_ / "w.npz";
  ASSERT_EQ(kiln_checkpoint_export(checkpoint.c_str(), "safetensors",
                                   safetensors.c_str()),
            0)
      << kiln_last_error();
  ASSERT_EQ(kiln_checkpoint_export(checkpoint.c_str(), "npz", npz.c_str()), 0)
      << kiln_last_error();
  EXPECT_EQ(kiln_checkpoint_export(checkpoint.c_str(), "onnx", npz.c_str()),
            -1);
  EXPECT_THAT(kiln_last_error(), HasSubstr("unknown export format 'onnx'"));
  EXPECT_EQ(
      kiln_checkpoint_export((dir_ / "none.kiln").c_str(), "npz", npz.c_str()),
      -1);
  EXPECT_THAT(kiln_last_error(), HasSubstr("none.kiln: No such file"));

  // Parameters only ("m" is optimizer state), as f32 of their shape.
  std::vector<ckpt::NamedTensor> tensors;
  ASSERT_EQ(ckpt::readSafetensors(safetensors, tensors), "");
  ASSERT_EQ(tensors.size(), 1u);
  EXPECT_EQ(tensors[0].name, "w");
  EXPECT_EQ(tensors[0].dtype, "F32");
  EXPECT_EQ(tensors[0].shape, std::vector<int64_t>{37});
  ASSERT_EQ(tensors[0].bytes.size(), 37 * 4u);
  EXPECT_EQ(std::memcmp(tensors[0].bytes.data(), reference_.w.data(), 37 * 4),
            0);
  uint64_t headerLength;
  std::memcpy(&headerLength, readFile(safetensors).data(), 8);
  EXPECT_EQ(headerLength % 8, 0u);

  auto arrays = readNpz(readFile(npz));
  ASSERT_EQ(arrays.count("w.npy"), 1u);
  EXPECT_THAT(arrays["w.npy"].first,
              HasSubstr("{'descr': '<f4', 'fortran_order': False, 'shape': "
                        "(37,), }"));
  EXPECT_EQ(arrays["w.npy"].second, reference_.w);

  // A fresh run initialized from the export starts where this one ended.
  Argv argv{"--out", dir_ / "init", "--init-from", safetensors};
  kiln_run *run = kiln_run_create(argv.argc(), argv.argv(), "sim", "sha:sim");
  ASSERT_EQ(kiln_run_start(run), -1);
  State state;
  kiln_run_init_param(run, "w", KILN_INIT_ZEROS, state.w.data(), 37, 0, 0, 0,
                      0);
  kiln_run_register_state(run, "m", state.m.data(), 40);
  kiln_run_loop_enter(run, 0, 0);
  EXPECT_EQ(state.w, reference_.w);
  EXPECT_EQ(state.m, std::vector<double>(5, 0.0));
  kiln_run_loop_exit(run, 0);
  testing::internal::CaptureStderr();
  kiln_run_finish(run);
  testing::internal::GetCapturedStderr();
}

TEST_F(CheckpointRun, NumpyAndSafetensorsReadTheExports) {
  std::string out = dir_ / "python";
  runProgram({{"--out", out, "--seed", "4", "--checkpoint-every", "12"}});
  std::string checkpoint = out + "/checkpoints/ckpt-12.kiln";
  std::string npz = dir_ / "w.npz", safetensors = dir_ / "w.safetensors";
  ASSERT_EQ(kiln_checkpoint_export(checkpoint.c_str(), "npz", npz.c_str()), 0);
  ASSERT_EQ(kiln_checkpoint_export(checkpoint.c_str(), "safetensors",
                                   safetensors.c_str()),
            0);
  std::string expected = "[";
  for (float value : reference_.w) {
    char text[32];
    std::snprintf(text, sizeof text, "%.9g,", double(value));
    expected += text;
  }
  expected += "]";
  bool ran = false;
  if (kiln::test::pythonRuns("import numpy")) {
    ran = true;
    EXPECT_TRUE(kiln::test::pythonRuns(
        "import numpy as np; a = np.load(\"" + npz +
        "\")[\"w\"]; assert a.dtype == np.float32 and a.shape == (37,); "
        "assert (a == np.array(" +
        expected + ", dtype=np.float32)).all()"));
  }
  if (kiln::test::pythonRuns("import safetensors.numpy")) {
    ran = true;
    EXPECT_TRUE(kiln::test::pythonRuns(
        "import numpy as np, safetensors.numpy as st; a = st.load_file(\"" +
        safetensors + "\")[\"w\"]; assert (a == np.array(" + expected +
        ", dtype=np.float32)).all()"));
  }
  if (!ran)
    GTEST_SKIP() << "neither numpy nor safetensors is installed for python3";
}

TEST_F(CheckpointRunDeathTest, InitFromChecksNamesAndSizes) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string file = dir_ / "bad.safetensors";
  std::string header =
      "{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  std::string bytes(8, '\0');
  bytes[0] = char(header.size());
  writeFile(file, bytes + header + std::string(8, '\0'));
  Argv argv{"--out", dir_ / "init", "--init-from", file};
  EXPECT_EXIT(
      {
        kiln_run *run =
            kiln_run_create(argv.argc(), argv.argv(), "sim", "sha:sim");
        kiln_run_start(run);
        float w[2];
        kiln_run_init_param(run, "w", KILN_INIT_ZEROS, w, 2, 0, 0, 0, 0);
        kiln_run_loop_enter(run, 0, 1);
      },
      ExitedWithCode(1),
      "error: --init-from: .*bad.safetensors: tensor 'v' is not a parameter "
      "of this program");
  writeFile(file, bytes + header);
  EXPECT_EXIT(
      {
        kiln_run *run =
            kiln_run_create(argv.argc(), argv.argv(), "sim", "sha:sim");
        kiln_run_start(run);
        kiln_run_loop_enter(run, 0, 1);
      },
      ExitedWithCode(1),
      "tensor 'v' has data_offsets outside the 0 bytes of data");
}

} // namespace
