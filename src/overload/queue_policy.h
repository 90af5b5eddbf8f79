#pragma once
// When to admit, in which order to serve, and when to give up on a queued request: the decisions
// behind every queue in mlfaas (the function's inference queue, the gateway's per-function queue),
// as pure logic with the clock passed in, like the autoscaler.
//
// Queues are managed by time, not by count (Facebook's "Fail at Scale", ACM Queue 2015; CoDel,
// RFC 8289; folly::Codel):
//  - Overload is a queue that has not been empty for `interval` (N = 100 ms) while it could be
//    served. A queue that drains now and then is absorbing bursts; one that never drains is not.
//  - While overloaded, a request may wait at most max(target, k x service time) (M = 5 ms in
//    the paper; an inference takes longer than an RPC, so the floor scales with the measured
//    service time). Older ones are shed with 503 + Retry-After within milliseconds instead of
//    timing out at the client later.
//  - While overloaded, the newest request is served first (adaptive LIFO): it is the one whose
//    caller is most likely still waiting. Otherwise first come, first served.
//  - A request is admitted only if it can plausibly finish within its deadline: the estimated wait
//    (requests ahead x service time / parallelism) plus one service time.
//  - A request whose caller left, or whose deadline has passed (or is closer than one service
//    time), is dropped without being served.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "overload/deadline.h"

namespace mlfaas::overload {

struct QueueLimits {
  size_t max_items = 1024;
  uint64_t max_bytes = 256ull << 20;        // bodies held while queued
  Duration interval = std::chrono::milliseconds(100);  // N
  Duration target = std::chrono::milliseconds(5);      // M, the floor of the overloaded wait
  double service_multiple = 2.0;            // overloaded wait = max(target, k x service time)
  bool adaptive_lifo = true;
  bool shed = true;                         // drop requests past the overloaded wait
};

// Why a request was turned away at the door.
// `expired`: the deadline had passed on arrival; `deadline`: it would pass before the request is done.
enum class Rejection { none, queue_full, too_many_bytes, deadline, expired };
// Why a queued request left the queue without being served.
enum class DropReason { abandoned, expired, shed };

const char* rejection_name(Rejection r);  // "queue_full", "too_many_bytes", "deadline", "expired"
const char* drop_name(DropReason r);      // "abandoned", "expired", "shed"

class QueuePolicy {
 public:
  QueuePolicy(QueueLimits limits, TimePoint now) : limits_(limits), last_drained_(now) {}

  const QueueLimits& limits() const { return limits_; }

  // After every change of the queue: its length, and whether anything can serve it now (a
  // function scaling from zero cannot; its queue waiting then is no overload).
  void observe(TimePoint now, size_t length, bool can_serve);
  bool overloaded(TimePoint now) const;
  bool lifo(TimePoint now) const { return limits_.adaptive_lifo && overloaded(now); }
  // The longest a request may wait in the queue now (Duration::max() when not overloaded).
  Duration max_wait(TimePoint now) const;

  // Whether a request arriving now with `deadline` and `bytes` joins a queue of `items` requests
  // holding `queued_bytes`.
  Rejection admit(TimePoint now, TimePoint deadline, size_t items, uint64_t queued_bytes, uint64_t bytes) const;
  // What happens to a queued request now: nullopt = it stays.
  std::optional<DropReason> fate(TimePoint now, TimePoint arrival, TimePoint deadline, bool cancelled,
                                 bool sheddable = true) const;

  // A served request occupied one of `parallelism` slots for `took`; feeds the service-time
  // estimate (exponentially weighted, recent requests count most).
  void record_service(Duration took, int parallelism);
  // Zero until the first record_service().
  Duration service_time() const { return service_; }
  // Expected wait behind `ahead` queued requests.
  Duration estimated_wait(size_t ahead) const;

 private:
  QueueLimits limits_;
  TimePoint last_drained_;  // last time the queue was empty or could not be served
  size_t length_ = 0;
  bool serving_ = true;  // could serve at the last observation
  Duration service_{0};
  int parallelism_ = 1;
};

}  // namespace mlfaas::overload
