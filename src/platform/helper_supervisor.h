#pragma once
// Keeps the helper servers `mlfaas up` runs beside itself alive: the queue's nats-server (async
// calls and events are stored there) and --prometheus. A helper that dies (crashed, OOM-killed,
// killed by hand) is started again after a crash-loop backoff (RestartBackoff: 100 ms doubling to
// 10 s, forgotten after 10 s up), on the same store and port, so its clients reconnect to the
// address they know; while it is down, async calls and events get 503 with Retry-After, and what
// the store already holds waits for it.
//
// Pure and clock-injected: tick(now) polls the helpers and decides; the caller runs it on a timer
// (up.cpp: on the gateway's io_context, every 250 ms while all run, every 10 ms while one is
// down). respawn() only forks, so a tick never blocks for a helper's start-up; listening() is
// polled on later ticks.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "platform/restart_backoff.h"

namespace mlfaas::platform {

struct Helper {
  std::string name;                          // "nats-server"
  std::function<std::string()> exited;       // how it ended ("exited with code 1"), "" while it runs
  std::function<void()> respawn;             // fork it again; throws when it cannot
  std::function<bool()> listening;           // accepts clients again (empty: alive is enough)
  std::function<std::string()> log_tail;     // its last log lines, for the error message
};

class HelperSupervisor {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { running, waiting, starting };

  // `start_timeout`: a respawned helper that does not listen within it is killed and tried again.
  explicit HelperSupervisor(std::chrono::milliseconds start_timeout = std::chrono::seconds(10))
      : start_timeout_(start_timeout) {}

  // A helper that is running now (started at `now`).
  void add(Helper h, Clock::time_point now);
  // Polls every helper once: notices deaths, respawns when the backoff allows, sees them listen.
  void tick(Clock::time_point now);
  // Shutdown: helpers are being stopped on purpose; nothing is restarted any more.
  void stop() { stopped_ = true; }

  size_t size() const { return helpers_.size(); }
  const std::string& name(size_t i) const { return helpers_.at(i).h.name; }
  State state(size_t i) const { return helpers_.at(i).state; }
  bool up(size_t i) const { return helpers_.at(i).state == State::running; }
  // Every helper runs: the caller may poll slowly (a death is noticed within one poll); while one
  // is down, polling often shortens the outage (its backoff ends and its listening are seen sooner).
  bool all_running() const {
    for (auto& e : helpers_)
      if (e.state != State::running) return false;
    return true;
  }
  uint64_t restarts(size_t i) const { return helpers_.at(i).restarts; }
  Clock::time_point next_start(size_t i) const { return helpers_.at(i).backoff.next_start(); }

 private:
  struct Entry {
    Helper h;
    State state = State::running;
    Clock::time_point started{};
    Clock::time_point down_since{};
    RestartBackoff backoff;
    uint64_t restarts = 0;
  };
  void died(Entry& e, Clock::time_point now, const std::string& how);

  std::chrono::milliseconds start_timeout_;
  std::vector<Entry> helpers_;
  bool stopped_ = false;
};

}  // namespace mlfaas::platform
