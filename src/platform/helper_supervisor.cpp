#include "platform/helper_supervisor.h"

#include <exception>

#include "common/log.h"

namespace mlfaas::platform {

namespace {
long long ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}
}  // namespace

void HelperSupervisor::add(Helper h, Clock::time_point now) {
  Entry e;
  e.h = std::move(h);
  e.started = now;
  helpers_.push_back(std::move(e));
}

void HelperSupervisor::died(Entry& e, Clock::time_point now, const std::string& how) {
  if (e.state == State::running) e.down_since = now;
  e.backoff.failed(now, e.started);
  e.state = State::waiting;
  const std::string tail = e.h.log_tail ? e.h.log_tail() : "";
  log::error("{} {}; starting it again in {} ms (attempt {}){}{}", e.h.name, how, ms(e.backoff.next_start() - now),
             e.backoff.consecutive_failures(), tail.empty() ? "" : "; its last log lines:\n", tail);
}

void HelperSupervisor::tick(Clock::time_point now) {
  if (stopped_) return;
  for (auto& e : helpers_) {
    if (e.state == State::running || e.state == State::starting) {
      if (auto how = e.h.exited(); !how.empty()) {
        died(e, now, how);
        continue;
      }
    }
    if (e.state == State::waiting && now >= e.backoff.next_start()) {
      try {
        e.h.respawn();
        ++e.restarts;
        e.started = now;
        e.state = State::starting;
      } catch (const std::exception& ex) {
        e.started = now;
        died(e, now, std::string("could not be started: ") + ex.what());
        continue;
      }
    }
    if (e.state == State::starting) {
      if (!e.h.listening || e.h.listening()) {
        e.state = State::running;
        log::info("{} is running again, {} ms after its death was noticed", e.h.name, ms(now - e.down_since));
      } else if (now - e.started >= start_timeout_) {
        died(e, now, "did not accept clients within " + std::to_string(start_timeout_.count()) + " ms of its restart");
      }
    }
  }
}

}  // namespace mlfaas::platform
