#pragma once
// Time types for the autoscaler. Nothing in this library reads a clock: every call takes `now`, so the
// gateway passes Clock::now() and tests drive time by hand.
#include <chrono>
#include <cstdint>
#include <string>

namespace mlfaas::autoscale {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// Index of the whole second containing t (floor, also for times before the clock's epoch).
inline std::int64_t second_index(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

// "30s", "1.5s", "250ms", "1h", "2m30s": for reasons and describe().
std::string format_duration(Duration d);

}  // namespace mlfaas::autoscale
