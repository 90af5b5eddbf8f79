#pragma once
// When to admit, in which order to serve, and when to give up on a queued request: the decisions
// behind every queue in mlfaas (the function's inference queue, the gateway's per-function queue),
// as pure logic with the clock passed in, like the autoscaler.
//
// Queues are managed by time, not by count (Facebook's "Fail at Scale", ACM Queue 2015; CoDel,
// RFC 8289; folly::Codel):
//  - Overload is a queue that has not been empty for `interval` while it could be served. A queue
//    that drains now and then is absorbing bursts; one that never drains is not. The paper's
//    N = 100 ms suits microsecond RPCs; a burst of a few hundred inferences (a function scaled
//    from zero) takes a second to drain and is no overload, so N = 1 s here.
//  - While overloaded, a request may wait at most max(target, k x service time) (M = 5 ms in
//    the paper, for microsecond RPCs; an inference takes milliseconds, and a closed-loop client
//    with more connections than cores keeps a standing queue that is no overload, so here the
//    floor is 50 ms and 10 service times). Older ones are shed with 503 + Retry-After instead of
//    timing out at the client later.
//  - Optionally (adaptive_lifo), the newest request is served first while overloaded: it is the
//    one whose caller is most likely still waiting. Otherwise first come, first served.
//  - A request is admitted only if it can plausibly finish within its deadline: the estimated wait
//    (requests ahead x service time / parallelism) plus one service time; and, while overloaded,
//    only if that wait is within the overloaded limit (else it would only be shed later: turn it
//    away now, in microseconds).
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
  Duration interval = std::chrono::seconds(1);         // N
  Duration target = std::chrono::milliseconds(50);     // M, the floor of the overloaded wait
  double service_multiple = 10.0;           // overloaded wait = max(target, k x service time)
  // Newest first while overloaded. Off by default: measured on mlfaas (docs/benchmarks.md), LIFO
  // starves the oldest requests of a closed-loop client (wrk -c16), which then get shed, while
  // FIFO with shedding keeps goodput at capacity under open-loop overload just as well.
  bool adaptive_lifo = false;
  bool shed = true;                         // drop requests past the overloaded wait
};

// Why a request was turned away at the door.
// `expired`: the deadline had passed on arrival; `deadline`: it would pass before the request is done.
// `shed`: overloaded, and the wait ahead is longer than an overloaded queue lets anyone wait.
enum class Rejection { none, queue_full, too_many_bytes, deadline, expired, shed };
// Why a queued request left the queue without being served.
enum class DropReason { abandoned, expired, shed };

const char* rejection_name(Rejection r);  // "queue_full", "too_many_bytes", "deadline", "expired", "shed"
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
