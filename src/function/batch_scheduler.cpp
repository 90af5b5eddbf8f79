#include "function/batch_scheduler.h"

#include <algorithm>

namespace mlfaas::function {

bool BatchScheduler::enqueue(Clock::time_point arrival) {
  if (arrivals_.size() >= c_.max_queue_size) return false;
  arrivals_.push_back(arrival);
  return true;
}

void BatchScheduler::drop_front(size_t n) {
  n = std::min(n, arrivals_.size());
  arrivals_.erase(arrivals_.begin(), arrivals_.begin() + long(n));
}

std::optional<Dispatch> BatchScheduler::next(Clock::time_point now) {
  if (arrivals_.empty()) return std::nullopt;
  if (busy_threads_ + 1 > c_.cores) return std::nullopt;  // wait for a core
  const size_t max = size_t(std::max(1, c_.max_batch_size));
  const bool full = arrivals_.size() >= max;
  const bool waited = now - arrivals_.front() >= c_.max_queue_delay;
  if (!full && !waited) return std::nullopt;
  Dispatch d;
  d.count = std::min(max, arrivals_.size());
  const bool alone = running_ == 0 && arrivals_.size() == d.count;
  d.threads = alone ? c_.cores : 1;
  arrivals_.erase(arrivals_.begin(), arrivals_.begin() + long(d.count));
  busy_threads_ += d.threads;
  ++running_;
  return d;
}

std::optional<Clock::time_point> BatchScheduler::wake_time() const {
  if (arrivals_.empty() || c_.max_queue_delay.count() == 0) return std::nullopt;
  return arrivals_.front() + c_.max_queue_delay;
}

void BatchScheduler::finished(int threads) {
  busy_threads_ = std::max(0, busy_threads_ - threads);
  running_ = std::max(0, running_ - 1);
}

}  // namespace mlfaas::function
