#pragma once
// Maximum of the values recorded over the last `window`, in time slots of `granularity`: Knative's
// max.TimeWindow (KS pkg/autoscaler/aggregation/max), which implements scale-down-delay with the
// autoscaler tick (2s) as granularity. A value stays the maximum until ceil(window / granularity)
// slots have passed after the slot it was recorded in; several records in one slot keep the largest.
// A monotonic deque ("descending maxima"), so record and current are O(1) amortised.
#include <cstdint>
#include <deque>

#include "autoscale/clock.h"

namespace mlfaas::autoscale {

class MaxWindow {
 public:
  MaxWindow(Duration window, Duration granularity);

  void record(TimePoint now, int value);
  // Maximum over the window ending at the last record (0 before any record).
  int current() const { return maxima_.empty() ? 0 : maxima_.front().value; }

 private:
  struct Entry {
    std::int64_t slot;
    int value;
  };
  std::int64_t slots_;
  Duration granularity_;
  std::deque<Entry> maxima_;  // slots ascending, values strictly descending
};

}  // namespace mlfaas::autoscale
