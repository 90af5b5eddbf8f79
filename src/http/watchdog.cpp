#include "http/watchdog.h"

namespace mlfaas::http::detail {

struct Watchdog::State {
  State(const boost::asio::any_io_executor& ex, Clock::duration max_sleep, std::function<void()> on_expire)
      : timer(ex), max_sleep(max_sleep), on_expire(std::move(on_expire)) {}
  boost::asio::steady_timer timer;
  Clock::duration max_sleep;
  std::function<void()> on_expire;
  Clock::time_point deadline = Clock::time_point::max();
  Clock::time_point wait_until{};  // expiry of the pending wait, if `waiting`
  bool waiting = false;
  bool expired = false;
  bool stopped = false;
};

Watchdog::Watchdog(const boost::asio::any_io_executor& ex, Clock::duration max_sleep,
                   std::function<void()> on_expire)
    : s_(std::make_shared<State>(ex, max_sleep, std::move(on_expire))) {}

Watchdog::~Watchdog() { stop(); }

void Watchdog::arm(Clock::time_point deadline) {
  s_->deadline = deadline;
  s_->expired = false;
  if (s_->stopped) return;
  if (!s_->waiting) wait(s_);
  else if (s_->wait_until > deadline) s_->timer.cancel();  // on_wake re-waits for the earlier deadline
}

void Watchdog::disarm() { s_->deadline = Clock::time_point::max(); }

bool Watchdog::expired() const { return s_->expired; }

void Watchdog::stop() {
  if (s_->stopped) return;
  s_->stopped = true;
  s_->on_expire = nullptr;
  s_->timer.cancel();
}

void Watchdog::wait(const std::shared_ptr<State>& s) {
  auto now = Clock::now();
  auto until = s->deadline - now > s->max_sleep ? now + s->max_sleep : s->deadline;
  s->timer.expires_at(until);
  s->wait_until = until;
  s->waiting = true;
  s->timer.async_wait([s](const boost::system::error_code&) { on_wake(s); });
}

void Watchdog::on_wake(const std::shared_ptr<State>& s) {
  s->waiting = false;
  if (s->stopped || s->deadline == Clock::time_point::max()) return;  // parked until the next arm()
  if (Clock::now() >= s->deadline) {
    s->expired = true;
    s->deadline = Clock::time_point::max();
    if (s->on_expire) s->on_expire();
    return;
  }
  wait(s);
}

}  // namespace mlfaas::http::detail
