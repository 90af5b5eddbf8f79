#include "platform/helper_supervisor.h"

#include <gtest/gtest.h>

#include <stdexcept>

using mlfaas::platform::Helper;
using mlfaas::platform::HelperSupervisor;
using State = HelperSupervisor::State;
using namespace std::chrono_literals;

namespace {

// A helper process as the supervisor sees it, driven by the test.
struct FakeHelper {
  std::string death;       // what exited() reports once (then "is not running", as DaemonProcess does)
  bool alive = true;
  bool listens = true;     // listening() once respawned
  bool respawn_fails = false;
  int respawns = 0;

  Helper helper(const std::string& name = "nats-server") {
    return {.name = name,
            .exited = [this]() -> std::string {
              if (alive) return "";
              if (!death.empty()) return std::exchange(death, "");
              return "is not running";
            },
            .respawn = [this] {
              if (respawn_fails) throw std::runtime_error("cannot open its log");
              ++respawns;
              alive = true;
            },
            .listening = [this] { return alive && listens; },
            .log_tail = [] { return std::string("a log line"); }};
  }
  void kill(const std::string& how = "was killed by signal 9 (Killed)") {
    alive = false;
    death = how;
  }
};

const auto t0 = HelperSupervisor::Clock::time_point{} + 1h;

TEST(HelperSupervisor, ARunningHelperIsLeftAlone) {
  FakeHelper f;
  HelperSupervisor s;
  s.add(f.helper(), t0);
  for (int i = 0; i < 100; ++i) s.tick(t0 + i * 250ms);
  EXPECT_EQ(f.respawns, 0);
  EXPECT_TRUE(s.up(0));
  EXPECT_EQ(s.restarts(0), 0u);
}

TEST(HelperSupervisor, ADeadHelperIsRespawnedAfterTheBackoffAndIsUpOnceItListens) {
  FakeHelper f;
  f.listens = false;
  HelperSupervisor s;
  s.add(f.helper(), t0);
  f.kill();
  s.tick(t0 + 1s);  // noticed: waits 100 ms
  EXPECT_EQ(s.state(0), State::waiting);
  EXPECT_FALSE(s.up(0));
  EXPECT_EQ(s.next_start(0), t0 + 1s + 100ms);
  s.tick(t0 + 1s + 50ms);
  EXPECT_EQ(f.respawns, 0);
  s.tick(t0 + 1s + 100ms);  // respawned, not listening yet
  EXPECT_EQ(f.respawns, 1);
  EXPECT_EQ(s.state(0), State::starting);
  EXPECT_FALSE(s.up(0));
  EXPECT_EQ(s.restarts(0), 1u);
  EXPECT_FALSE(s.all_running());
  f.listens = true;
  s.tick(t0 + 1s + 350ms);
  EXPECT_EQ(s.state(0), State::running);
  EXPECT_TRUE(s.up(0));
  EXPECT_TRUE(s.all_running());
}

TEST(HelperSupervisor, AHelperWithoutAListeningCheckIsUpOnceRespawned) {
  FakeHelper f;
  HelperSupervisor s;
  Helper h = f.helper("prometheus");
  h.listening = {};
  s.add(std::move(h), t0);
  f.kill("exited with code 1");
  s.tick(t0);
  s.tick(t0 + 100ms);
  EXPECT_EQ(f.respawns, 1);
  EXPECT_TRUE(s.up(0));
}

TEST(HelperSupervisor, ACrashLoopBacksOffDoublingUpToTheCap) {
  FakeHelper f;
  HelperSupervisor s;
  s.add(f.helper(), t0);
  auto now = t0;
  std::vector<std::chrono::milliseconds> waits;
  for (int i = 0; i < 9; ++i) {
    f.kill("exited with code 1");
    s.tick(now);  // noticed
    waits.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(s.next_start(0) - now));
    now = s.next_start(0);
    s.tick(now);  // respawned, listens, dies again at once
  }
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms, 800ms, 1600ms, 3200ms, 6400ms, 10s, 10s}));
  EXPECT_EQ(s.restarts(0), 9u);
}

TEST(HelperSupervisor, AHelperThatRanForAWhileStartsTheBackoffOver) {
  FakeHelper f;
  HelperSupervisor s;
  s.add(f.helper(), t0);
  for (int i = 0; i < 4; ++i) {
    f.kill();
    s.tick(t0 + i * 5s);
    s.tick(s.next_start(0));
  }
  // Up for a minute since the last restart, then it dies: 100 ms again.
  const auto later = s.next_start(0) + 60s;
  f.kill();
  s.tick(later);
  EXPECT_EQ(s.next_start(0), later + 100ms);
}

TEST(HelperSupervisor, ARespawnThatThrowsIsRetriedWithBackoff) {
  FakeHelper f;
  HelperSupervisor s;
  s.add(f.helper(), t0);
  f.kill();
  f.respawn_fails = true;
  s.tick(t0);
  s.tick(t0 + 100ms);  // throws: 200 ms more
  EXPECT_EQ(s.state(0), State::waiting);
  EXPECT_EQ(s.next_start(0), t0 + 300ms);
  EXPECT_EQ(s.restarts(0), 0u);
  f.respawn_fails = false;
  s.tick(t0 + 300ms);
  EXPECT_TRUE(s.up(0));
  EXPECT_EQ(s.restarts(0), 1u);
}

TEST(HelperSupervisor, ARespawnThatNeverListensIsTriedAgainAfterTheStartTimeout) {
  FakeHelper f;
  f.listens = false;
  HelperSupervisor s(2s);
  s.add(f.helper(), t0);
  f.kill();
  s.tick(t0);
  s.tick(t0 + 100ms);
  EXPECT_EQ(s.state(0), State::starting);
  s.tick(t0 + 2s);
  EXPECT_EQ(s.state(0), State::starting);
  s.tick(t0 + 2100ms);  // 2 s without listening
  EXPECT_EQ(s.state(0), State::waiting);
  s.tick(s.next_start(0));
  EXPECT_EQ(f.respawns, 2);
}

TEST(HelperSupervisor, AHelperThatDiesWhileStartingIsNoticed) {
  FakeHelper f;
  f.listens = false;
  HelperSupervisor s;
  s.add(f.helper(), t0);
  f.kill();
  s.tick(t0);
  s.tick(t0 + 100ms);
  f.kill("exited with code 1");
  s.tick(t0 + 350ms);
  EXPECT_EQ(s.state(0), State::waiting);
  EXPECT_EQ(s.next_start(0), t0 + 350ms + 200ms);
}

TEST(HelperSupervisor, HelpersAreSupervisedEachOnItsOwn) {
  FakeHelper a, b;
  HelperSupervisor s;
  s.add(a.helper("nats-server"), t0);
  s.add(b.helper("prometheus"), t0);
  b.kill();
  s.tick(t0);
  EXPECT_TRUE(s.up(0));
  EXPECT_FALSE(s.up(1));
  s.tick(t0 + 100ms);
  EXPECT_EQ(a.respawns, 0);
  EXPECT_EQ(b.respawns, 1);
  EXPECT_EQ(s.name(1), "prometheus");
}

TEST(HelperSupervisor, NothingIsRestartedAfterStop) {
  FakeHelper f;
  HelperSupervisor s;
  s.add(f.helper(), t0);
  s.stop();
  f.kill();
  s.tick(t0);
  s.tick(t0 + 1s);
  EXPECT_EQ(f.respawns, 0);
}

}  // namespace
