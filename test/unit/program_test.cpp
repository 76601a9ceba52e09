//===- program_test.cpp - The lifecycle of a compiled experiment's run ----===//

#include "RunSupport.h"
#include "ScratchDir.h"

#include "kiln/program.h"
#include "kiln/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace {

using kiln::test::Argv;
using kiln::test::ScratchDir;
using testing::ExitedWithCode;
using testing::HasSubstr;
using testing::StartsWith;

/// Hyper-parameter indices of the experiment declared by `declare`.
enum { kEpochs, kBatch, kLr, kUseBias, kPolicy };

kiln_run *declare(Argv &argv) {
  kiln_run *run = kiln_run_create(argv.argc(), argv.argv(), "mlp", "sha:1");
  EXPECT_EQ(kiln_run_declare_int(run, "epochs", 5, 0), kEpochs);
  EXPECT_EQ(kiln_run_declare_int(run, "batch", 64, 1), kBatch);
  EXPECT_EQ(kiln_run_declare_float(run, "lr", 1e-3, 0), kLr);
  EXPECT_EQ(kiln_run_declare_bool(run, "use_bias", 1, 0), kUseBias);
  EXPECT_EQ(kiln_run_declare_string(run, "policy", "none", 0), kPolicy);
  kiln_run_declare_choice(run, kPolicy, "none");
  kiln_run_declare_choice(run, kPolicy, "uniform");
  return run;
}

/// A started run writing to `out`; the test finishes it.
kiln_run *start(Argv &argv) {
  kiln_run *run = declare(argv);
  EXPECT_EQ(kiln_run_start(run), -1);
  return run;
}

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    result.push_back(line);
  return result;
}

bool hasEventFile(const std::string &dir) {
  for (const auto &entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0)
      return true;
  return false;
}

TEST(Program, HelpMarksFixedHyperParametersAndExitsZero) {
  Argv argv{"--help"};
  kiln_run *run = declare(argv);
  testing::internal::CaptureStdout();
  EXPECT_EQ(kiln_run_start(run), 0);
  std::string help = testing::internal::GetCapturedStdout();
  EXPECT_THAT(help, HasSubstr("--batch INT"));
  EXPECT_THAT(help, HasSubstr("(fixed at build: 64)"));
  EXPECT_THAT(help, HasSubstr("--epochs INT"));
  EXPECT_THAT(help, HasSubstr("(default 5)"));
  EXPECT_THAT(help, HasSubstr("--policy none|uniform"));
  EXPECT_THAT(help, HasSubstr("--data-dir DIR"));
  EXPECT_THAT(help, HasSubstr("(default runs/mlp)"));
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  EXPECT_THAT(
      help, HasSubstr("worker threads (default " + std::to_string(cpus) + ")"));
}

TEST(Program, UsageErrorsExitTwo) {
  Argv argv{"--nope"};
  testing::internal::CaptureStderr();
  EXPECT_EQ(kiln_run_start(declare(argv)), 2);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("error: unknown option '--nope'"));

  Argv choice{"--policy", "powerlaw"};
  testing::internal::CaptureStderr();
  EXPECT_EQ(kiln_run_start(declare(choice)), 2);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("'powerlaw' is not one of none|uniform"));
}

TEST(Program, OverridingAFixedHyperParameterSaysToRebuild) {
  ScratchDir dir;
  Argv argv{"--batch", "128", "--out", dir / "out"};
  testing::internal::CaptureStderr();
  EXPECT_EQ(kiln_run_start(declare(argv)), 2);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("error: --batch is fixed when the program is built (it "
                        "sizes tensors or a schedule); rebuild with 'kilnc "
                        "build <file> --set batch=128', or use 'kilnc run', "
                        "which rebuilds as needed"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));

  // Restating the compiled value is no override.
  Argv same{"--batch=64", "--out", dir / "out"};
  kiln_run *run = start(same);
  EXPECT_EQ(kiln_run_int(run, kBatch), 64);
  testing::internal::CaptureStderr();
  EXPECT_EQ(kiln_run_finish(run), 0);
  testing::internal::GetCapturedStderr();
}

TEST(Program, ResolvesValuesAndWritesOutputs) {
  ScratchDir dir;
  std::string out = dir / "out";
  Argv argv{"--epochs", "3",         "--lr",   "0.5", "--use-bias=false",
            "--policy", "uniform",   "--seed", "9",   "--out",
            out,        "--threads", "2"};
  kiln_run *run = start(argv);
  EXPECT_EQ(kiln_run_int(run, kEpochs), 3);
  EXPECT_EQ(kiln_run_int(run, kBatch), 64);
  EXPECT_EQ(kiln_run_float(run, kLr), 0.5);
  EXPECT_EQ(kiln_run_bool(run, kUseBias), 0);
  EXPECT_STREQ(kiln_run_string(run, kPolicy), "uniform");
  EXPECT_EQ(kiln_run_str_eq(kiln_run_string(run, kPolicy), "uniform"), 1);
  EXPECT_EQ(kiln_run_str_eq(kiln_run_string(run, kPolicy), "none"), 0);
  EXPECT_EQ(kiln_run_seed(run), 9);

  std::string config = kiln::test::readFile(out + "/config.json");
  EXPECT_THAT(config, HasSubstr("\"source_hash\": \"sha:1\""));
  EXPECT_THAT(config, HasSubstr("\"seed\": 9"));
  EXPECT_THAT(config, HasSubstr("\"threads\": 2"));
  EXPECT_THAT(config, HasSubstr("\"epochs\": 3"));
  EXPECT_THAT(config, HasSubstr("\"batch\": 64"));
  EXPECT_THAT(config, HasSubstr("\"policy\": \"uniform\""));
  EXPECT_TRUE(std::filesystem::exists(out + "/metrics.jsonl"));
  EXPECT_TRUE(hasEventFile(out));

  testing::internal::CaptureStderr();
  EXPECT_EQ(kiln_run_finish(run), 0);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("mlp: 0 steps in "));
}

TEST(Program, LogsTaggedLinesAtTheStepCount) {
  ScratchDir dir;
  std::string out = dir / "out";
  Argv argv{"--out", out};
  kiln_run *run = start(argv);
  kiln_run_log_f32(run, "start", 1.5f);
  float loss = 0.25f;
  for (int i = 0; i < 3; ++i)
    kiln_run_step_done(run, &loss);
  kiln_run_tag_int(run, "epoch", 1);
  kiln_run_tag_str(run, "split", "test");
  kiln_run_tag_int(run, "epoch", 2); // the last value of a key stands
  kiln_run_log_f32(run, "test/accuracy", 0.875f);
  kiln_run_step_done(run, nullptr);
  kiln_run_log_f64(run, "lr", 0.1);
  kiln_run_log_i64(run, "examples", 256);
  testing::internal::CaptureStderr();
  kiln_run_finish(run);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("mlp: 4 steps in "));

  std::vector<std::string> logged =
      lines(kiln::test::readFile(out + "/metrics.jsonl"));
  ASSERT_EQ(logged.size(), 4u);
  EXPECT_THAT(logged[0], StartsWith("{\"step\":0,\"name\":\"start\","
                                    "\"value\":1.5,\"time\":"));
  EXPECT_THAT(logged[0], testing::EndsWith("}"));
  EXPECT_THAT(logged[1], StartsWith("{\"step\":3,\"name\":\"test/accuracy\","
                                    "\"value\":0.875,\"time\":"));
  EXPECT_THAT(logged[1], testing::EndsWith(",\"epoch\":2,\"split\":\"test\"}"));
  EXPECT_THAT(logged[2],
              StartsWith("{\"step\":4,\"name\":\"lr\",\"value\":0.1,"));
  EXPECT_THAT(logged[2], testing::Not(HasSubstr("epoch")));
  EXPECT_THAT(logged[3], StartsWith("{\"step\":4,\"name\":\"examples\","
                                    "\"value\":256,"));
}

TEST(Program, StartsOutputsAfreshUnlessResuming) {
  ScratchDir dir;
  std::string out = dir / "out";
  // Resuming without a checkpoint starts afresh too (checkpoint_test.cpp
  // has the resumes).
  for (const char *resume : {"false", "false", "true"}) {
    Argv argv{"--out", out, "--resume", resume};
    testing::internal::CaptureStderr();
    kiln_run *run = start(argv);
    kiln_run_log_f32(run, "x", 1);
    kiln_run_finish(run);
    std::string printed = testing::internal::GetCapturedStderr();
    EXPECT_EQ(printed.find("starting afresh") != std::string::npos,
              *resume == 't');
  }
  EXPECT_EQ(lines(kiln::test::readFile(out + "/metrics.jsonl")).size(), 1u);
}

TEST(Program, InitializesParametersOnStreamsInOrder) {
  ScratchDir dir;
  Argv argv{"--out", dir / "out", "--seed", "7"};
  kiln_run *run = start(argv);
  std::vector<float> w1(12), b1(3, 5.0f), w2(12), u(8), n(8), ones(4);
  kiln_run_init_param(run, "w1", KILN_INIT_GLOROT, w1.data(), 12, 4, 3, 0, 0);
  kiln_run_init_param(run, "b1", KILN_INIT_ZEROS, b1.data(), 3, 0, 0, 0, 0);
  kiln_run_init_param(run, "w2", KILN_INIT_KAIMING, w2.data(), 12, 4, 3, 0, 0);
  kiln_run_init_param(run, "u", KILN_INIT_UNIFORM, u.data(), 8, 0, 0, -2, 2);
  kiln_run_init_param(run, "n", KILN_INIT_NORMAL, n.data(), 8, 0, 0, 1, 0.5);
  kiln_run_init_param(run, "ones", KILN_INIT_ONES, ones.data(), 4, 0, 0, 0, 0);

  std::vector<float> expected(12);
  kiln_init_glorot_uniform_f32(7, 0, expected.data(), 12, 4, 3);
  EXPECT_EQ(w1, expected);
  EXPECT_EQ(b1, std::vector<float>(3, 0.0f));
  kiln_init_kaiming_normal_f32(7, 2, expected.data(), 12, 4);
  EXPECT_EQ(w2, expected);
  expected.resize(8);
  kiln_rng_uniform_f32(7, 3, 0, expected.data(), 8, -2, 2);
  EXPECT_EQ(u, expected);
  kiln_rng_normal_f32(7, 4, 0, expected.data(), 8, 1, 0.5);
  EXPECT_EQ(n, expected);
  EXPECT_EQ(ones, std::vector<float>(4, 1.0f));

  std::vector<double> moments(5, 3.0);
  kiln_run_register_state(run, "adam/m", moments.data(), 5 * sizeof(double));
  EXPECT_EQ(moments, std::vector<double>(5, 0.0));
  testing::internal::CaptureStderr();
  kiln_run_finish(run);
  testing::internal::GetCapturedStderr();
}

TEST(ProgramDeathTest, RegisteringANameTwiceIsAnError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ScratchDir dir;
  Argv argv{"--out", dir / "out"};
  kiln_run *run = start(argv);
  float value;
  kiln_run_init_param(run, "w", KILN_INIT_ZEROS, &value, 1, 0, 0, 0, 0);
  EXPECT_EXIT(kiln_run_register_state(run, "w", &value, sizeof value),
              ExitedWithCode(1), "error: .*'w' registered twice");
  testing::internal::CaptureStderr();
  kiln_run_finish(run);
  testing::internal::GetCapturedStderr();
}

TEST(ProgramDeathTest, LoopsNestAndReportProgress) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ScratchDir dir;
  Argv argv{"--out", dir / "out"};
  kiln_run *run = start(argv);
  float loss = 1;
  kiln_run_loop_enter(run, 0, 2);
  for (int epoch = 0; epoch < 2; ++epoch) {
    kiln_run_loop_iter(run, 0, epoch);
    kiln_run_loop_enter(run, 1, 3);
    for (int batch = 0; batch < 3; ++batch) {
      kiln_run_loop_iter(run, 1, batch);
      kiln_run_step_done(run, &loss);
    }
    kiln_run_loop_exit(run, 1);
  }
  EXPECT_EXIT(kiln_run_loop_exit(run, 1), ExitedWithCode(1),
              "error: internal error: exit from loop 1, which is not the "
              "innermost loop entered");
  kiln_run_loop_exit(run, 0);
  // Not a terminal, and shorter than 10 s: no progress line, a summary.
  testing::internal::CaptureStderr();
  kiln_run_finish(run);
  std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_THAT(printed, StartsWith("mlp: 6 steps in "));
  EXPECT_THAT(printed, HasSubstr("outputs in " + dir / "out"));
  EXPECT_THAT(printed, testing::Not(HasSubstr("progress")));
}

TEST(ProgramDeathTest, ErrorsKeepWhatWasLogged) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ScratchDir dir;
  std::string out = dir / "out";
  Argv argv{"--out", out, "--data-dir", dir / "nothing"};
  kiln_run *run = start(argv);
  kiln_run_log_f32(run, "before", 1);
  EXPECT_EXIT(kiln_data_mnist(run, "mnist", "train", nullptr),
              ExitedWithCode(1),
              "^error: cannot load mnist train \\(.*nothing\\): "
              ".*nothing/train-images-idx3-ubyte\\(\\.gz\\): no such file\n$");
  EXPECT_EQ(lines(kiln::test::readFile(out + "/metrics.jsonl")).size(), 1u);
  testing::internal::CaptureStderr();
  kiln_run_finish(run);
  testing::internal::GetCapturedStderr();
}

} // namespace
