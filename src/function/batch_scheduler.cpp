#include "function/batch_scheduler.h"

#include <algorithm>

namespace mlfaas::function {

std::optional<Dispatch> BatchScheduler::next(Clock::time_point now, size_t queued,
                                             std::optional<Clock::time_point> oldest) {
  if (queued == 0) return std::nullopt;
  if (busy_threads_ + 1 > c_.cores) return std::nullopt;  // wait for a core
  const size_t max = size_t(std::max(1, c_.max_batch_size));
  const bool full = queued >= max;
  const bool waited = !oldest || now - *oldest >= c_.max_queue_delay;
  if (!full && !waited) return std::nullopt;
  Dispatch d;
  d.count = std::min(max, queued);
  const bool alone = running_ == 0 && queued == d.count;
  d.threads = alone ? c_.cores : 1;
  busy_threads_ += d.threads;
  ++running_;
  return d;
}

std::optional<Clock::time_point> BatchScheduler::wake_time(std::optional<Clock::time_point> oldest) const {
  if (!oldest || c_.max_queue_delay.count() == 0) return std::nullopt;
  return *oldest + c_.max_queue_delay;
}

void BatchScheduler::finished(int threads) {
  busy_threads_ = std::max(0, busy_threads_ - threads);
  running_ = std::max(0, running_ - 1);
}

}  // namespace mlfaas::function
