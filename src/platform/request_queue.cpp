#include "platform/request_queue.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
using overload::Clock;

namespace {
// Dropping is checked this often while anyone waits (and at once when a client leaves).
constexpr auto kSweepPeriod = std::chrono::milliseconds(20);

double ms_since(overload::TimePoint t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
}  // namespace

RequestQueue::RequestQueue(asio::io_context& ioc, LoadBalancer& lb, overload::QueueLimits limits)
    : lb_(lb), queue_(limits, Clock::now()), sweep_timer_(ioc) {}

RequestQueue::~RequestQueue() { stop_all(); }

asio::awaitable<QueueOutcome> RequestQueue::acquire(overload::TimePoint deadline, uint64_t bytes,
                                                   std::shared_ptr<http::Cancellation> cancellation) {
  // A client that leaves while waiting is dropped at once, not at the next sweep.
  auto gone = http::Cancellation::on_cancel(cancellation, [this] { sweep(); });
  auto enqueue = [&](http::Completion<QueueOutcome> done) {
    Waiter w{done};
    const auto now = Clock::now();
    auto r = queue_.push(now, w, {deadline, bytes, cancellation ? cancellation->flag() : nullptr});
    if (r != overload::Rejection::none) {
      QueueOutcome o;
      o.kind = QueueOutcome::Kind::rejected;
      o.rejection = r;
      done(o);
      return;
    }
    arm_sweep();
    if (on_enqueue) on_enqueue();
  };
  co_return co_await http::await_completion<QueueOutcome>(enqueue);
}

void RequestQueue::pump() {
  if (queue_.empty()) return;
  sweep();
  const auto now = Clock::now();
  while (!queue_.empty()) {
    auto r = lb_.acquire();
    if (!r) break;
    auto w = queue_.pop(now);
    QueueOutcome o;
    o.kind = QueueOutcome::Kind::granted;
    o.replica = *r;
    o.waited_ms = ms_since(w->second);
    w->first.done(o);
  }
}

void RequestQueue::sweep() {
  queue_.sweep(Clock::now(), [](Waiter&& w, overload::DropReason why, overload::TimePoint arrival) {
    QueueOutcome o;
    o.kind = QueueOutcome::Kind::dropped;
    o.drop = why;
    o.waited_ms = ms_since(arrival);
    w.done(o);
  });
}

void RequestQueue::stop_all() {
  queue_.clear([](Waiter&& w) { w.done(QueueOutcome{}); });
  sweep_timer_.cancel();
}

void RequestQueue::fail_all(const std::string& why) {
  queue_.clear([&](Waiter&& w) {
    QueueOutcome o;
    o.kind = QueueOutcome::Kind::failed;
    o.why = why;
    w.done(o);
  });
}

void RequestQueue::set_can_serve(bool can) { queue_.set_can_serve(Clock::now(), can); }

void RequestQueue::record_service(overload::Duration took, int slots) {
  queue_.policy().record_service(took, std::max(1, slots));
}

void RequestQueue::arm_sweep() {
  if (sweep_armed_) return;
  sweep_armed_ = true;
  sweep_timer_.expires_after(kSweepPeriod);
  sweep_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired()) return;
    sweep_armed_ = false;
    sweep();
    if (!queue_.empty()) arm_sweep();
  });
}

}  // namespace mlfaas::platform
