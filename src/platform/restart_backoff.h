#pragma once
// Crash-loop backoff for replicas (like Kubernetes' CrashLoopBackOff, but in milliseconds): each
// consecutive failure doubles the wait before the next start, up to a cap; a replica that stays
// up long enough resets it. Pure, clock passed in.
#include <chrono>

namespace mlfaas::platform {

class RestartBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  RestartBackoff(std::chrono::milliseconds initial = std::chrono::milliseconds(100),
                 std::chrono::milliseconds cap = std::chrono::seconds(10),
                 std::chrono::milliseconds reset_after = std::chrono::seconds(10))
      : initial_(initial), cap_(cap), reset_after_(reset_after) {}

  // A replica failed (crashed, or never became ready) at `now`, having started at `started`.
  void failed(Clock::time_point now, Clock::time_point started) {
    if (now - started >= reset_after_) failures_ = 0;  // it ran fine for a while: a fresh problem
    ++failures_;
    auto delay = initial_;
    for (int i = 1; i < failures_ && delay < cap_; ++i) delay *= 2;
    next_start_ = now + std::min(delay, cap_);
  }
  // A replica became ready and has stayed up: forget earlier failures.
  void succeeded() { failures_ = 0; }
  // Earliest time the next replica may start.
  Clock::time_point next_start() const { return next_start_; }
  int consecutive_failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_, cap_, reset_after_;
  int failures_ = 0;
  Clock::time_point next_start_{};
};

}  // namespace mlfaas::platform
