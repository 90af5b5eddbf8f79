#pragma once
// Internal to mlfaas_http: the single timer behind a connection's timeouts.
//
// A connection arms one deadline for whatever it is doing now (reading headers, writing, ...);
// when the deadline passes, `on_expire` runs on the connection's executor, typically to close the
// socket so the pending operation fails. Unlike beast::tcp_stream, which re-arms a timer for every
// read and write, moving the deadline *later* touches no timer: the timer keeps its earlier expiry
// and re-arms for the current deadline when it fires. Moving it *earlier* cancels the wait, so the
// timer never sleeps longer than `max_sleep` (pass the connection's shortest timeout) to keep that
// rare on the request path.
//
// Not thread-safe: use it from the connection's executor (strand) only, which must also be the
// executor given to the constructor.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace mlfaas::http::detail {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  Watchdog(const boost::asio::any_io_executor& ex, Clock::duration max_sleep, std::function<void()> on_expire);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void arm(Clock::time_point deadline);
  void arm_after(Clock::duration d) { arm(Clock::now() + d); }
  void disarm();
  // True once on_expire ran for the current arming (reset by arm()).
  bool expired() const;
  // No more callbacks after this; called by the destructor.
  void stop();

 private:
  struct State;
  static void wait(const std::shared_ptr<State>& s);
  static void on_wake(const std::shared_ptr<State>& s);
  std::shared_ptr<State> s_;  // shared with a pending timer handler, which may outlive us
};

}  // namespace mlfaas::http::detail
