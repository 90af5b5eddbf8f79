#pragma once
// A function's requests waiting for a replica with room: the activator's queue (scale from zero,
// replicas at containerConcurrency), managed by time (overload/timed_queue.h). A waiter leaves with
// a replica, or is turned away at the door (queue full, too many bytes, cannot finish within its
// deadline), or is dropped while waiting (its client left, its deadline passed, or it waited too
// long while the function was overloaded). Runs on the platform's single I/O thread.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/async_result.h"
#include "http/cancellation.h"
#include "overload/timed_queue.h"
#include "platform/load_balancer.h"

namespace mlfaas::platform {

struct QueueOutcome {
  // failed: no replica can come up (it keeps exiting before it is ready); `why` says what it did.
  enum class Kind { granted, rejected, dropped, stopping, failed } kind = Kind::stopping;
  int replica = -1;                                          // granted
  overload::Rejection rejection = overload::Rejection::none;  // rejected
  overload::DropReason drop = overload::DropReason::expired;  // dropped
  double waited_ms = 0;
  std::string why;  // failed
};

class RequestQueue {
 public:
  RequestQueue(boost::asio::io_context& ioc, LoadBalancer& lb, overload::QueueLimits limits);
  ~RequestQueue();
  RequestQueue(const RequestQueue&) = delete;
  RequestQueue& operator=(const RequestQueue&) = delete;

  // Waits for a replica slot (already counted on the replica when granted).
  boost::asio::awaitable<QueueOutcome> acquire(overload::TimePoint deadline, uint64_t bytes,
                                               std::shared_ptr<http::Cancellation> cancellation);
  // Hands free replica slots to waiters (newest first while overloaded).
  void pump();
  // Drops waiters that should no longer wait.
  void sweep();
  // Every waiter leaves with Kind::stopping.
  void stop_all();
  // Every waiter leaves with Kind::failed and `why`.
  void fail_all(const std::string& why);
  // Whether any replica can take requests (no overload is measured while none can).
  void set_can_serve(bool can);
  // A forwarded request took `took` on one of `slots` replica slots (0 = unlimited).
  void record_service(overload::Duration took, int slots);

  // Called after a request joins the queue (the owner scales up at once rather than at its tick).
  std::function<void()> on_enqueue;

  size_t size() const { return queue_.size(); }
  bool empty() const { return queue_.empty(); }
  uint64_t bytes() const { return queue_.bytes(); }
  bool overloaded() const { return queue_.policy().overloaded(overload::Clock::now()); }
  const overload::QueuePolicy& policy() const { return queue_.policy(); }

 private:
  struct Waiter {
    http::Completion<QueueOutcome> done;
  };
  void arm_sweep();

  LoadBalancer& lb_;
  overload::TimedQueue<Waiter> queue_;
  boost::asio::steady_timer sweep_timer_;
  bool sweep_armed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // the timer's handler may outlive us
};

}  // namespace mlfaas::platform
