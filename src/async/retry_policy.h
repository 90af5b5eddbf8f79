#pragma once
// When a queued call is tried again, and when it is given up (dead-lettered). The retryable
// statuses are the ones that say "not now" rather than "never": 429 (the function's watchdog
// or the gateway's admission is full), 502/503/504 (replica gone, overloaded, timed out) —
// the same set as OpenFaaS' queue-worker. Pure, no clock: the caller says how many attempts failed.
#include <chrono>

namespace mlfaas::async {

struct RetryPolicy {
  int max_attempts = 5;  // attempts in all, the first included
  std::chrono::milliseconds initial_delay{500};
  std::chrono::milliseconds max_delay{30'000};
  double multiplier = 2.0;

  // 429, 502, 503, 504.
  static bool retryable_status(unsigned http_status);
  // Wait before the next attempt after `failed_attempts` (>= 1; smaller counts as 1) failures:
  // initial × multiplier^(n-1), capped at max_delay.
  std::chrono::milliseconds delay_after(int failed_attempts) const;
  bool gives_up(int attempts_made) const { return attempts_made >= max_attempts; }
  // Throws std::invalid_argument naming the first bad field.
  void validate() const;
};

}  // namespace mlfaas::async
