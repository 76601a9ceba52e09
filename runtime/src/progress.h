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

  /// Starts the clock; `terminal`: stderr is one.
  void start(bool terminal);

  void enterLoop(int64_t loop, int64_t trips) {
    loops_.push_back({loop, trips, 0});
  }
  /// Each returns an error for a loop other than the innermost, else "".
  std::string iterateLoop(int64_t loop, int64_t index);
  std::string exitLoop(int64_t loop);

  void stepDone(const float *loss);
  int64_t steps() const { return steps_; }
  double elapsedSeconds() const;

  /// Erases a progress line drawn on the terminal, before other output.
  void clearLine();

private:
  struct Loop {
    int64_t id, trips, index;
  };

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
