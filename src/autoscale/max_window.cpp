#include "autoscale/max_window.h"

#include <algorithm>
#include <stdexcept>

namespace mlfaas::autoscale {

MaxWindow::MaxWindow(Duration window, Duration granularity) : granularity_(granularity) {
  if (granularity <= Duration::zero()) throw std::invalid_argument("MaxWindow granularity must be positive");
  slots_ = std::max<std::int64_t>(1, (window + granularity - Duration(1)) / granularity);  // ceil
}

void MaxWindow::record(TimePoint now, int value) {
  const Duration t = now.time_since_epoch();
  std::int64_t slot = t / granularity_;
  if (t % granularity_ < Duration::zero()) --slot;  // floor for times before the epoch
  if (!maxima_.empty()) slot = std::max(slot, maxima_.back().slot);  // time never runs backwards here
  // Older entries no larger than the new value can never be the maximum again.
  while (!maxima_.empty() && maxima_.back().value <= value) maxima_.pop_back();
  while (!maxima_.empty() && slot - maxima_.front().slot >= slots_) maxima_.pop_front();
  // The same slot already holds a larger value: keep it (Knative's "step 2b").
  if (!maxima_.empty() && maxima_.back().slot == slot) return;
  maxima_.push_back({slot, value});
}

}  // namespace mlfaas::autoscale
