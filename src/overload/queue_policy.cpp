#include "overload/queue_policy.h"

#include <algorithm>

namespace mlfaas::overload {

const char* rejection_name(Rejection r) {
  switch (r) {
    case Rejection::none: return "none";
    case Rejection::queue_full: return "queue_full";
    case Rejection::too_many_bytes: return "too_many_bytes";
    case Rejection::deadline: return "deadline";
    case Rejection::expired: return "expired";
    case Rejection::shed: return "shed";
  }
  return "unknown";
}

const char* drop_name(DropReason r) {
  switch (r) {
    case DropReason::abandoned: return "abandoned";
    case DropReason::expired: return "expired";
    case DropReason::shed: return "shed";
  }
  return "unknown";
}

void QueuePolicy::observe(TimePoint now, size_t length, bool can_serve) {
  // Overload is measured from the last moment the queue was drained, so a queue that stays
  // non-empty for `interval` is overloaded however its length moves meanwhile.
  // Capacity appearing (the first replica ready) starts the clock afresh.
  if (length == 0 || !can_serve || !serving_) last_drained_ = std::max(last_drained_, now);
  serving_ = can_serve;
  length_ = can_serve ? length : 0;
}

bool QueuePolicy::overloaded(TimePoint now) const { return length_ > 0 && now - last_drained_ > limits_.interval; }

Duration QueuePolicy::max_wait(TimePoint now) const {
  if (!overloaded(now)) return Duration::max();
  auto scaled = std::chrono::duration_cast<Duration>(service_ * limits_.service_multiple);
  return std::max(limits_.target, scaled);
}

Duration QueuePolicy::estimated_wait(size_t ahead) const {
  if (service_.count() == 0) return Duration::zero();
  return service_ * static_cast<Duration::rep>(ahead) / std::max(1, parallelism_);
}

Rejection QueuePolicy::admit(TimePoint now, TimePoint deadline, size_t items, uint64_t queued_bytes,
                             uint64_t bytes) const {
  if (deadline <= now) return Rejection::expired;
  if (items >= limits_.max_items) return Rejection::queue_full;
  if (queued_bytes + bytes > limits_.max_bytes) return Rejection::too_many_bytes;
  // Served newest first while overloaded, a new request waits behind nobody.
  const size_t ahead = lifo(now) ? 0 : items;
  const Duration wait = estimated_wait(ahead);
  if (limits_.shed && overloaded(now) && wait > max_wait(now)) return Rejection::shed;
  if (deadline - now < wait + service_) return Rejection::deadline;
  return Rejection::none;
}

std::optional<DropReason> QueuePolicy::fate(TimePoint now, TimePoint arrival, TimePoint deadline, bool cancelled,
                                             bool sheddable) const {
  if (cancelled) return DropReason::abandoned;
  // One that cannot finish before its deadline is as good as expired.
  if (deadline <= now || deadline - now < service_) return DropReason::expired;
  if (limits_.shed && sheddable && now - arrival > max_wait(now)) return DropReason::shed;
  return std::nullopt;
}

void QueuePolicy::record_service(Duration took, int parallelism) {
  parallelism_ = std::max(1, parallelism);
  if (service_.count() == 0) {
    service_ = took;
    return;
  }
  // alpha = 1/8, as TCP's smoothed RTT.
  service_ = service_ + (took - service_) / 8;
}

}  // namespace mlfaas::overload
