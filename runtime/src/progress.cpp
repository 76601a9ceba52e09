//===- progress.cpp - The progress line of a running experiment -----------===//

#include "progress.h"

#include "run.h"

#include <cstdio>

namespace kiln {
namespace {

constexpr auto kTerminalInterval = std::chrono::milliseconds(100);
constexpr auto kLogInterval = std::chrono::seconds(10);

/// "42s", "3m05s", "1h02m".
std::string durationText(double seconds) {
  auto total = int64_t(seconds + 0.5);
  char text[32];
  if (total < 60)
    std::snprintf(text, sizeof text, "%llds", (long long)total);
  else if (total < 3600)
    std::snprintf(text, sizeof text, "%lldm%02llds", (long long)(total / 60),
                  (long long)(total % 60));
  else
    std::snprintf(text, sizeof text, "%lldh%02lldm", (long long)(total / 3600),
                  (long long)(total / 60 % 60));
  return text;
}

} // namespace

void Progress::start(bool terminal) {
  terminal_ = terminal;
  start_ = Clock::now();
  nextReport_ = start_ + (terminal ? Clock::duration(kTerminalInterval)
                                   : Clock::duration(kLogInterval));
}

std::string Progress::iterateLoop(int64_t loop, int64_t index) {
  if (loops_.empty() || loops_.back().id != loop)
    return "iteration of loop " + std::to_string(loop) +
           ", which is not the innermost loop entered";
  loops_.back().index = index;
  maybeReport();
  return "";
}

void Progress::stepDone(const float *loss) {
  ++steps_;
  Clock::time_point now = Clock::now();
  if (now < nextReport_)
    return;
  if (loss) {
    hasLoss_ = true;
    loss_ = *loss;
  }
  report(now);
}

double Progress::elapsedSeconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void Progress::clearLine() {
  if (lineShown_)
    std::fputs("\r\x1b[K", stderr);
  lineShown_ = false;
}

void Progress::report(Clock::time_point now) {
  nextReport_ = now + (terminal_ ? Clock::duration(kTerminalInterval)
                                 : Clock::duration(kLogInterval));
  // The fraction done: each loop's index plus the fraction of its current
  // trip that the loops inside it have done.
  double fraction = 0;
  for (auto loop = loops_.rbegin(); loop != loops_.rend(); ++loop)
    fraction = loop->trips > 0
                   ? (double(loop->index) + fraction) / double(loop->trips)
                   : 0;
  double elapsed = std::chrono::duration<double>(now - start_).count();

  line_.clear();
  char text[64];
  for (size_t i = 0; i < loops_.size(); ++i) {
    std::snprintf(text, sizeof text, "%s%lld/%lld", i ? " \u00b7 " : "",
                  (long long)(loops_[i].index + 1), (long long)loops_[i].trips);
    line_ += text;
  }
  std::snprintf(text, sizeof text, "%sstep %lld  %.1f steps/s",
                line_.empty() ? "" : "  ", (long long)steps_,
                elapsed > 0 ? double(steps_) / elapsed : 0.0);
  line_ += text;
  if (fraction > 0 && fraction < 1)
    line_ += "  ETA " + durationText(elapsed * (1 - fraction) / fraction);
  if (hasLoss_) {
    std::snprintf(text, sizeof text, "  loss %.4g", double(loss_));
    line_ += text;
  }

  if (terminal_) {
    // Clear to the end of the line: the last one may have been longer.
    std::fprintf(stderr, "\r%s\x1b[K", line_.c_str());
    lineShown_ = true;
  } else {
    std::fprintf(stderr, "progress: %s\n", line_.c_str());
  }
  std::fflush(stderr);
}

} // namespace kiln
