//===- progress.h - The progress line of a running experiment -------------===//
//
// Internal to the runtime. The compiler brackets host loops; their stack of
// positions gives the fraction of the run done, hence an ETA. On a terminal
// the line is redrawn in place at most 10 times a second; otherwise a plain
// line is printed every 10 seconds.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_PROGRESS_H
#define KILN_RUNTIME_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

class Progress {
public:
  using Clock = std::chrono::steady_clock;

  /// A loop entered and not exited: the run's position.
  struct Loop {
    int64_t id, trips, index;
  };

  /// Starts the clock; `terminal`: stderr is one.
  void start(bool terminal);

  /// `first`: the first iteration to run (a resumed run starts midway).
  void enterLoop(int64_t loop, int64_t trips, int64_t first) {
    loops_.push_back({loop, trips, first});
  }
  /// Returns an error for a loop other than the innermost, else "".
  std::string iterateLoop(int64_t loop, int64_t index);
  /// Leaves the innermost loop.
  void exitLoop() { loops_.pop_back(); }

  const std::vector<Loop> &loops() const { return loops_; }

  /// Counts a step; reads `loss` (if any) only when a report is due, so
  /// that a loss the GPU computes is copied back at most once per report.
  void stepDone(const float *loss);
  bool reportDue() const { return Clock::now() >= nextReport_; }
  int64_t steps() const { return steps_; }
  /// A resumed run continues the count of its checkpoint.
  void setSteps(int64_t steps) { steps_ = steps; }
  double elapsedSeconds() const;

  /// Erases a progress line drawn on the terminal, before other output.
  void clearLine();

private:
  void maybeReport() {
    Clock::time_point now = Clock::now();
    if (now >= nextReport_)
      report(now);
  }
  void report(Clock::time_point now);

  std::vector<Loop> loops_;
  int64_t steps_ = 0;
  bool hasLoss_ = false;
  float loss_ = 0;
  bool terminal_ = false;
  bool lineShown_ = false;
  Clock::time_point start_, nextReport_ = Clock::time_point::max();
  std::string line_;
};

} // namespace kiln

#endif // KILN_RUNTIME_PROGRESS_H
