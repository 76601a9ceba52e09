//===- RunSupport.h - Runs of kiln_run in tests ---------------------------===//

#ifndef KILN_TEST_UNIT_RUNSUPPORT_H
#define KILN_TEST_UNIT_RUNSUPPORT_H

#include "kiln/program.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace kiln::test {

/// A command line "bin/exp ARGS..." that outlives the run parsing it.
class Argv {
public:
  Argv(std::initializer_list<std::string> args)
      : Argv(std::vector<std::string>(args)) {}
  explicit Argv(const std::vector<std::string> &args) : storage_{"bin/exp"} {
    storage_.insert(storage_.end(), args.begin(), args.end());
    for (std::string &arg : storage_)
      pointers_.push_back(arg.data());
    pointers_.push_back(nullptr);
  }
  Argv(const Argv &) = delete;
  Argv &operator=(const Argv &) = delete;

  int32_t argc() const { return int32_t(storage_.size()); }
  char **argv() { return pointers_.data(); }

private:
  std::vector<std::string> storage_;
  std::vector<char *> pointers_;
};

/// Started runs that a test finishes at its end, newest first (each run
/// restores the float mode it found), with their summaries discarded.
class StartedRuns {
public:
  StartedRuns() = default;
  StartedRuns(const StartedRuns &) = delete;
  StartedRuns &operator=(const StartedRuns &) = delete;
  ~StartedRuns() {
    testing::internal::CaptureStderr();
    for (auto run = runs_.rbegin(); run != runs_.rend(); ++run)
      kiln_run_finish(*run);
    testing::internal::GetCapturedStderr();
  }

  /// A run of "bin/exp ARGS..." after kiln_run_start.
  kiln_run *start(std::initializer_list<std::string> args) {
    argvs_.push_back(std::make_unique<Argv>(args));
    kiln_run *run = kiln_run_create(argvs_.back()->argc(),
                                    argvs_.back()->argv(), "exp", "hash");
    EXPECT_EQ(kiln_run_start(run), -1);
    runs_.push_back(run);
    return run;
  }

private:
  std::vector<std::unique_ptr<Argv>> argvs_;
  std::vector<kiln_run *> runs_;
};

/// An IDX file: the header for `dims` of `type`, then `data`.
inline std::string idxFile(uint8_t type, const std::vector<uint32_t> &dims,
                           const std::string &data) {
  std::string bytes = {0, 0, char(type), char(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes += char(d >> shift);
  return bytes + data;
}

/// Calls of the global operator new so far (counted in
/// AllocationCounter.cpp), to check that a loop does not allocate.
uint64_t operatorNewCalls();

} // namespace kiln::test

#endif // KILN_TEST_UNIT_RUNSUPPORT_H
