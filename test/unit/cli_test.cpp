//===- cli_test.cpp - Command lines of built experiments ------------------===//

#include "ScratchDir.h"

#include "kiln/cli.h"
#include "kiln/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

namespace {

using kiln::cli::Outcome;
using kiln::test::ScratchDir;
using testing::HasSubstr;

const char *const kPolicies[] = {"powerlaw", "uniform", "none"};

/// The hyper-parameters of the rehearsal experiment, at their defaults, and
/// run options at theirs.
struct Experiment {
  std::vector<kiln_hparam> params = {
      {"tasks", "number of tasks", KILN_HPARAM_INT, nullptr, 0, 10, 0, 0,
       nullptr, 0},
      {"lr", nullptr, KILN_HPARAM_FLOAT, nullptr, 0, 0, 0.05, 0, nullptr, 0},
      {"policy", "replay policy", KILN_HPARAM_STRING, kPolicies, 3, 0, 0, 0,
       "powerlaw", 0},
      {"use_bias", nullptr, KILN_HPARAM_BOOL, nullptr, 0, 0, 0, 1, nullptr, 0},
      {"tag", nullptr, KILN_HPARAM_STRING, nullptr, 0, 0, 0, 0, "run", 0},
  };
  kiln_run_options options = {0, "runs/rehearsal", 0, KILN_DEVICE_CPU,
                              1, nullptr};
  std::string message;
  std::vector<std::string> storage;
  std::vector<char *> argv;

  Outcome parse(std::initializer_list<const char *> args) {
    storage = {"bin/rehearsal"};
    storage.insert(storage.end(), args.begin(), args.end());
    argv.clear();
    for (std::string &arg : storage)
      argv.push_back(arg.data());
    return kiln::cli::parse(int(argv.size()), argv.data(), "Rehearsal.",
                            params.data(), params.size(), &options, message);
  }
  const kiln_hparam &operator[](size_t i) const { return params[i]; }
};

TEST(Cli, RangesRejectValuesOutside) {
  Experiment e;
  e.params[0].has_range = 1; // tasks in [1, 20]
  e.params[0].low = 1;
  e.params[0].high = 20;
  e.params[1].has_range = 1; // lr in [0, inf]
  e.params[1].low = 0;
  e.params[1].high = std::numeric_limits<double>::infinity();
  ASSERT_EQ(e.parse({"--tasks", "20", "--lr", "1e9"}), Outcome::Run)
      << e.message;
  EXPECT_EQ(e.parse({"--tasks", "0"}), Outcome::Error);
  EXPECT_THAT(e.message, HasSubstr("--tasks: 0 is not in [1, 20]"));
  EXPECT_EQ(e.parse({"--lr", "-0.5"}), Outcome::Error);
  EXPECT_THAT(e.message, HasSubstr("--lr: -0.5 is not in [0, inf]"));
  Experiment fresh;
  fresh.params[1].has_range = 1;
  fresh.params[1].low = 0;
  fresh.params[1].high = std::numeric_limits<double>::infinity();
  ASSERT_EQ(fresh.parse({"--help"}), Outcome::Help);
  EXPECT_THAT(fresh.message, HasSubstr("(default 0.05, in [0, inf])"));
}

TEST(Cli, DefaultOutsideItsRangeIsAnInternalError) {
  Experiment e;
  e.params[0].has_range = 1;
  e.params[0].low = 20;
  e.params[0].high = 30;
  EXPECT_EQ(e.parse({}), Outcome::Error);
  EXPECT_THAT(
      e.message,
      HasSubstr("hyper-parameter 'tasks': its default 10 is not in [20, 30]"));
}

TEST(Cli, DefaultsStandWithoutArguments) {
  Experiment e;
  ASSERT_EQ(e.parse({}), Outcome::Run) << e.message;
  EXPECT_EQ(e[0].int_value, 10);
  EXPECT_EQ(e[1].float_value, 0.05);
  EXPECT_STREQ(e[2].string_value, "powerlaw");
  EXPECT_EQ(e[3].bool_value, 1);
  EXPECT_EQ(e.options.seed, 0u);
  EXPECT_STREQ(e.options.out_dir, "runs/rehearsal");
}

TEST(Cli, SpaceAndEqualsForms) {
  Experiment e;
  ASSERT_EQ(e.parse({"--tasks", "5", "--lr=0.125", "--policy", "uniform",
                     "--use-bias=false", "--tag=a=b", "--seed=42", "--out",
                     "/tmp/x", "--resume", "--device=cuda", "--threads", "8"}),
            Outcome::Run)
      << e.message;
  EXPECT_EQ(e[0].int_value, 5);
  EXPECT_EQ(e[1].float_value, 0.125);
  EXPECT_STREQ(e[2].string_value, "uniform");
  EXPECT_EQ(e[2].string_value, kPolicies[1]) << "points into the choices";
  EXPECT_EQ(e[3].bool_value, 0);
  EXPECT_STREQ(e[4].string_value, "a=b");
  EXPECT_EQ(e.options.seed, 42u);
  EXPECT_STREQ(e.options.out_dir, "/tmp/x");
  EXPECT_EQ(e.options.resume, 1);
  EXPECT_EQ(e.options.device, KILN_DEVICE_CUDA);
  EXPECT_EQ(e.options.threads, 8);
}

TEST(Cli, NegativeNumbersAndLaterFlagsWin) {
  Experiment e;
  ASSERT_EQ(e.parse({"--tasks", "-3", "--lr", "-1e-3", "--tasks", "4", "--seed",
                     "18446744073709551615"}),
            Outcome::Run)
      << e.message;
  EXPECT_EQ(e[0].int_value, 4);
  EXPECT_EQ(e[1].float_value, -1e-3);
  EXPECT_EQ(e.options.seed, UINT64_MAX);
}

TEST(Cli, BoolForms) {
  Experiment e;
  e.params[3].bool_value = 0;
  ASSERT_EQ(e.parse({"--use_bias", "--tasks", "2"}), Outcome::Run);
  EXPECT_EQ(e[3].bool_value, 1);
  EXPECT_EQ(e[0].int_value, 2);
  ASSERT_EQ(e.parse({"--use_bias", "0"}), Outcome::Run);
  EXPECT_EQ(e[3].bool_value, 0);
  ASSERT_EQ(e.parse({"--use_bias", "true"}), Outcome::Run);
  EXPECT_EQ(e[3].bool_value, 1);
  ASSERT_EQ(e.parse({"--resume=false"}), Outcome::Run);
  EXPECT_EQ(e.options.resume, 0);
  ASSERT_EQ(e.parse({"--resume"}), Outcome::Run);
  EXPECT_EQ(e.options.resume, 1);
}

TEST(Cli, Errors) {
  struct Case {
    std::initializer_list<const char *> args;
    const char *message;
  };
  const Case cases[] = {
      {{"--lrr", "1"}, "unknown option '--lrr'"},
      {{"lr"}, "unexpected argument 'lr'"},
      {{"-x"}, "unexpected argument '-x'"},
      {{"--"}, "unexpected argument '--'"},
      {{"--tasks"}, "--tasks needs a value"},
      {{"--tasks", "--lr", "1"}, "--tasks needs a value"},
      {{"--tasks", "3x"}, "--tasks: '3x' is not an integer"},
      {{"--tasks="}, "--tasks: '' is not an integer"},
      {{"--tasks", "99999999999999999999"}, "out of the range of int64"},
      {{"--lr", "fast"}, "--lr: 'fast' is not a finite number"},
      {{"--lr", "nan"}, "'nan' is not a finite number"},
      {{"--lr", "1e999"}, "'1e999' is not a finite number"},
      {{"--use_bias=yes"}, "--use_bias: 'yes' is not true, false, 1 or 0"},
      {{"--policy", "greedy"},
       "--policy: 'greedy' is not one of powerlaw|uniform|none"},
      {{"--seed", "-1"}, "--seed: '-1' is not an integer in [0, 2^64)"},
      {{"--seed", "18446744073709551616"}, "is not an integer in [0, 2^64)"},
      {{"--threads", "0"}, "--threads: '0' is not a positive thread count"},
      {{"--threads", "many"}, "--threads: 'many' is not an integer"},
      {{"--device", "gpu"}, "--device: 'gpu' is not cpu or cuda"},
      {{"--out="}, "--out: the output directory is empty"},
      {{"--help=1"}, "--help: takes no value"},
      {{"--resume=2"}, "--resume: '2' is not true, false, 1 or 0"},
  };
  for (const Case &c : cases) {
    Experiment e;
    EXPECT_EQ(e.parse(c.args), Outcome::Error) << c.message;
    EXPECT_THAT(e.message, HasSubstr(c.message));
  }
}

TEST(Cli, HelpListsEveryOptionAndHyperParameter) {
  Experiment e;
  ASSERT_EQ(e.parse({"--tasks", "bad", "--help"}), Outcome::Help);
  EXPECT_THAT(e.message, HasSubstr("usage: rehearsal [options]\n\nRehearsal."));
  for (const char *line :
       {"--seed N", "random seed (default 0)", "--out DIR",
        "(default runs/rehearsal)", "--resume", "--device cpu|cuda",
        "(default cpu)", "--threads N", "(default 1)",
        "  --tasks INT             number of tasks (default 10)\n",
        "  --lr FLOAT              (default 0.05)\n",
        "  --policy powerlaw|uniform|none replay policy (default "
        "\"powerlaw\")\n",
        "  --use_bias BOOL         (default true)\n",
        "  --tag STRING            (default \"run\")\n"})
    EXPECT_THAT(e.message, HasSubstr(line));
}

TEST(Cli, FixedHyperParametersKeepTheirCompiledValue) {
  Experiment e;
  e.params[0].fixed = 1;
  e.params[1].fixed = 1;
  ASSERT_EQ(e.parse({"--tasks", "10", "--lr=5e-2"}), Outcome::Run)
      << "restating the compiled value: " << e.message;
  EXPECT_EQ(e.parse({"--tasks=12"}), Outcome::Error);
  EXPECT_EQ(e.message,
            "--tasks is fixed when the program is built (it sizes tensors or "
            "a schedule); rebuild with 'kilnc build <file> --set tasks=12', or "
            "use 'kilnc run', which rebuilds as needed");
  EXPECT_EQ(e[0].int_value, 10);
  EXPECT_EQ(e.parse({"--tasks", "x"}), Outcome::Error);
  EXPECT_EQ(e.message, "--tasks: 'x' is not an integer");

  ASSERT_EQ(e.parse({"--help"}), Outcome::Help);
  EXPECT_THAT(e.message,
              HasSubstr("  --tasks INT             number of tasks (fixed at "
                        "build: 10)\n"));
  EXPECT_THAT(e.message, HasSubstr("  --lr FLOAT              (fixed at build: "
                                   "0.05)\n"));
}

TEST(Cli, DataDir) {
  Experiment e;
  ASSERT_EQ(e.parse({"--help"}), Outcome::Help);
  EXPECT_THAT(e.message,
              HasSubstr("  --data-dir DIR          data set directory "
                        "(default $KILN_DATA_DIR, else "
                        "/usr/share/datasets/<data set>)\n"));
  ASSERT_EQ(e.parse({"--data_dir", "/data"}), Outcome::Run) << e.message;
  EXPECT_STREQ(e.options.data_dir, "/data");
  EXPECT_EQ(e.parse({"--data-dir="}), Outcome::Error);
  EXPECT_EQ(e.message, "--data-dir: the data directory is empty");
}

TEST(Cli, DeclarationErrors) {
  Experiment e;
  e.params[1].name = "seed";
  EXPECT_EQ(e.parse({}), Outcome::Error);
  EXPECT_THAT(e.message,
              HasSubstr("hyper-parameter 'seed' clashes with --seed"));

  Experiment twice;
  twice.params[1].name = "use-bias";
  EXPECT_EQ(twice.parse({}), Outcome::Error);
  EXPECT_THAT(twice.message, HasSubstr("'use_bias' is declared twice"));

  Experiment choice;
  choice.params[2].string_value = "greedy";
  EXPECT_EQ(choice.parse({}), Outcome::Error);
  EXPECT_THAT(choice.message,
              HasSubstr("defaults to \"greedy\", which is not one of"));

  Experiment type;
  type.params[0].type = 9;
  EXPECT_EQ(type.parse({}), Outcome::Error);
  EXPECT_THAT(type.message, HasSubstr("unknown type 9"));
}

TEST(Cli, CAbiStatuses) {
  Experiment e;
  char program[] = "rehearsal", lr[] = "--lr", bad[] = "x", help[] = "--help";
  char *badArgs[] = {program, lr, bad};
  testing::internal::CaptureStderr();
  EXPECT_EQ(kiln_cli_parse(3, badArgs, nullptr, e.params.data(),
                           e.params.size(), &e.options),
            2);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "rehearsal: error: --lr: 'x' is not a finite number (see "
            "--help)\n");
  EXPECT_STREQ(kiln_last_error(), "--lr: 'x' is not a finite number");

  char *helpArgs[] = {program, help};
  testing::internal::CaptureStdout();
  EXPECT_EQ(kiln_cli_parse(2, helpArgs, nullptr, e.params.data(),
                           e.params.size(), &e.options),
            0);
  EXPECT_THAT(testing::internal::GetCapturedStdout(),
              HasSubstr("hyper-parameters:\n"));

  EXPECT_EQ(kiln_cli_parse(1, helpArgs, nullptr, e.params.data(),
                           e.params.size(), &e.options),
            -1);
}

TEST(Cli, WritesConfig) {
  ScratchDir dir;
  Experiment e;
  ASSERT_EQ(e.parse({"--lr", "0.1", "--seed", "7", "--tag", "a\"b"}),
            Outcome::Run);
  std::string out = dir / "run/1";
  ASSERT_EQ(kiln_write_config(out.c_str(), e.params.data(), e.params.size(),
                              &e.options, "sha256:abc"),
            0)
      << kiln_last_error();
  EXPECT_EQ(kiln::test::readFile(out + "/config.json"),
            "{\n"
            "  \"source_hash\": \"sha256:abc\",\n"
            "  \"seed\": 7,\n"
            "  \"device\": \"cpu\",\n"
            "  \"threads\": 1,\n"
            "  \"resume\": false,\n"
            "  \"hyperparameters\": {\n"
            "    \"tasks\": 10,\n"
            "    \"lr\": 0.1,\n"
            "    \"policy\": \"powerlaw\",\n"
            "    \"use_bias\": true,\n"
            "    \"tag\": \"a\\\"b\"\n"
            "  }\n"
            "}\n");
  EXPECT_FALSE(std::filesystem::exists(out + "/config.json.tmp"));

  // Rewritten whole, never appended to; no hyper-parameters is an empty
  // object.
  ASSERT_EQ(kiln_write_config(out.c_str(), nullptr, 0, &e.options, nullptr), 0);
  EXPECT_THAT(kiln::test::readFile(out + "/config.json"),
              HasSubstr("\"source_hash\": \"\",\n"));
  EXPECT_THAT(kiln::test::readFile(out + "/config.json"),
              HasSubstr("\"hyperparameters\": {}\n}\n"));

  kiln::test::writeFile(dir / "file", "x");
  EXPECT_EQ(kiln_write_config((dir / "file").c_str(), nullptr, 0, &e.options,
                              nullptr),
            -1);
  EXPECT_THAT(kiln_last_error(), HasSubstr("file"));
}

} // namespace
