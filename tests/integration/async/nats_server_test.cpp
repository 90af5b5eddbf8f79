// The nats-server child: a port of its own, clear errors when it cannot start, clean stops.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <string>
#include <thread>

#include "nats_fixture.h"

using namespace mlfaas::async;
using namespace mlfaas::async::test;
using namespace std::chrono_literals;

namespace {

// The std::runtime_error message of f(), "" if it did not throw one.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

}  // namespace

TEST(NatsServer, TwoServersGetTheirOwnPorts) {
  MLFAAS_REQUIRE_NATS_SERVER();
  NatsServer a({.dir = mlfaas::test::make_temp_dir("nats-a")});
  NatsServer b({.dir = mlfaas::test::make_temp_dir("nats-b")});
  EXPECT_NE(a.port(), b.port());
  EXPECT_EQ(a.url(), "nats://127.0.0.1:" + std::to_string(a.port()));
  JetStream ja(a.url()), jb(b.url());
  EXPECT_TRUE(ja.connected());
  EXPECT_TRUE(jb.connected());
  EXPECT_TRUE(std::filesystem::exists(a.dir() / "jetstream"));
  EXPECT_TRUE(std::filesystem::exists(a.log_file()));
}

TEST(NatsServer, StopTerminatesAndReaps) {
  MLFAAS_REQUIRE_NATS_SERVER();
  NatsServer s({.dir = mlfaas::test::make_temp_dir("nats")});
  const pid_t pid = s.pid();
  ASSERT_TRUE(alive(pid));
  s.stop();
  EXPECT_FALSE(s.running());
  EXPECT_FALSE(alive(pid));  // reaped: not even a zombie
  s.stop();                  // idempotent
}

TEST(NatsServer, StopAfterTheServerWasKilled) {
  MLFAAS_REQUIRE_NATS_SERVER();
  NatsServer s({.dir = mlfaas::test::make_temp_dir("nats")});
  const pid_t pid = s.pid();
  ::kill(pid, SIGKILL);
  s.stop();
  EXPECT_FALSE(alive(pid));
}

TEST(NatsServer, ItsOwnProcessGroup) {
  MLFAAS_REQUIRE_NATS_SERVER();
  NatsServer s({.dir = mlfaas::test::make_temp_dir("nats")});
  EXPECT_EQ(getpgid(s.pid()), s.pid());
}

TEST(NatsServer, MissingExecutable) {
  std::string e = error_of([] { NatsServer s({.dir = mlfaas::test::make_temp_dir("nats"), .executable = "/nonexistent/nats-server"}); });
  EXPECT_NE(e.find("cannot run /nonexistent/nats-server"), std::string::npos) << e;
}

TEST(NatsServer, ServerThatExitsAtOnceNamesItsLog) {
  std::string e = error_of([] { NatsServer s({.dir = mlfaas::test::make_temp_dir("nats"), .executable = "/bin/false"}); });
  EXPECT_NE(e.find("exited with code 1 while starting"), std::string::npos) << e;
  EXPECT_NE(e.find("nats-server.log"), std::string::npos) << e;
}

TEST(NatsServer, PortInUseIsReportedWithTheServersWords) {
  MLFAAS_REQUIRE_NATS_SERVER();
  NatsServer a({.dir = mlfaas::test::make_temp_dir("nats-a")});
  std::string e = error_of([&] { NatsServer b({.dir = mlfaas::test::make_temp_dir("nats-b"), .port = a.port()}); });
  EXPECT_NE(e.find("while starting"), std::string::npos) << e;
  EXPECT_NE(e.find("address already in use"), std::string::npos) << e;
}

TEST(NatsServer, BadOptions) {
  auto dir = mlfaas::test::make_temp_dir("nats");
  EXPECT_THROW(NatsServer({.dir = ""}), std::invalid_argument);
  EXPECT_THROW(NatsServer({.dir = dir, .max_payload = 0}), std::invalid_argument);
  EXPECT_THROW(NatsServer({.dir = dir, .max_payload = int64_t(65) << 20}), std::invalid_argument);
  EXPECT_THROW(NatsServer({.dir = dir, .port = 70000}), std::invalid_argument);
}

TEST(JetStreamClient, ConnectGivesUpAfterItsTimeout) {
  // A port nothing listens on (a server's, once stopped).
  MLFAAS_REQUIRE_NATS_SERVER();
  std::string url;
  {
    NatsServer s({.dir = mlfaas::test::make_temp_dir("nats")});
    url = s.url();
  }
  auto t0 = std::chrono::steady_clock::now();
  std::string e = error_of([&] { JetStream js(url, 500ms); });
  EXPECT_NE(e.find("connect to " + url), std::string::npos) << e;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

// PR_SET_PDEATHSIG: a process that started a server and died (kill -9, no destructor) takes the
// server with it.
TEST(NatsServer, DiesWithItsParent) {
  MLFAAS_REQUIRE_NATS_SERVER();
  const auto dir = mlfaas::test::make_temp_dir("nats");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {  // the server's parent-to-be
    close(fds[0]);
    try {
      NatsServer s({.dir = dir});
      pid_t pid = s.pid();
      if (write(fds[1], &pid, sizeof pid) != sizeof pid) _exit(2);
      pause();
    } catch (...) {
    }
    _exit(1);
  }
  close(fds[1]);
  pid_t server = -1;
  ASSERT_EQ(read(fds[0], &server, sizeof server), ssize_t(sizeof server));
  close(fds[0]);
  ASSERT_TRUE(alive(server));
  ::kill(parent, SIGKILL);
  waitpid(parent, nullptr, 0);
  // Gone, or a zombie waiting for whoever inherited it.
  auto gone = [&] {
    std::ifstream stat("/proc/" + std::to_string(server) + "/stat");
    std::string pid, comm, state;
    return !(stat >> pid >> comm >> state) || state == "Z";
  };
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!gone() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(gone());
}
