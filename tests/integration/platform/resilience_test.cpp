// Replicas dying, crash loops, and the platform's own shutdown.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include "platform_fixture.h"

using namespace mlfaas::test;

namespace {

TEST(Resilience, KillNineOfAReplicaUnderLoadFailsNoRequest) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"2\""));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 2; }, std::chrono::seconds(10)));
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::mutex mu;
  std::vector<std::string> failures;
  std::vector<std::thread> load;
  for (int t = 0; t < 8; ++t)
    load.emplace_back([&] {
      while (!stop) {
        try {
          auto r = p->call("GET", "/function/hello/?sleep_ms=20");
          if (r.status == 200) ++ok;
          else {
            std::lock_guard lk(mu);
            failures.push_back(std::to_string(r.status) + " " + r.body);
          }
        } catch (const std::exception& e) {
          std::lock_guard lk(mu);
          failures.push_back(e.what());
        }
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto reps = p->status("hello").at("replicaDetails").as_array();
  pid_t victim = pid_t(reps[0].as_object().at("pid").to_number<int64_t>());
  ASSERT_GT(victim, 0);
  ::kill(victim, SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures[0];
  EXPECT_GT(ok.load(), 100);
  auto st = p->status("hello");
  EXPECT_EQ(st.at("restarts").to_number<int64_t>(), 1);
  EXPECT_TRUE(p->wait_for([&] { return p->ready("hello") == 2; }, std::chrono::seconds(10)));  // replaced
}

TEST(Resilience, AReplicaThatRefusesConnectionsIsProbedAgainAndGetsTrafficBack) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"2\""));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 2; }, std::chrono::seconds(10)));
  std::set<std::string> pids_before;
  const auto before = p->status("hello");  // kept: a range-for over a temporary's member dangles
  for (auto& r : before.at("replicaDetails").as_array())
    pids_before.insert(std::to_string(r.as_object().at("pid").to_number<int64_t>()));
  // One replica stops listening (and drops its idle connections) for 1.5 s but stays alive.
  auto deafen = p->call("GET", "/function/hello/?deafen_ms=1500");
  ASSERT_EQ(deafen.status, 200);
  const std::string deaf_replica = deafen.header("x-mlfaas-replica");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // its idle connections are gone
  int refused_seen = 0;
  for (int i = 0; i < 40; ++i) {  // all answered by the other replica meanwhile
    auto r = p->call("GET", "/function/hello/");
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.header("x-mlfaas-replica") == deaf_replica) ++refused_seen;
  }
  EXPECT_EQ(refused_seen, 0);
  EXPECT_NE(p->call("GET", "/system/logs?name=hello").body.find("refused a connection; probing it again"),
            std::string::npos);
  // Listening again: it passes its probe and takes requests again; nothing was restarted.
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 2; }, std::chrono::seconds(10)));
  std::set<std::string> served_by;
  for (int i = 0; i < 20; ++i) served_by.insert(p->call("GET", "/function/hello/").header("x-mlfaas-replica"));
  EXPECT_EQ(served_by.count(deaf_replica), 1u);
  auto st = p->status("hello");
  EXPECT_EQ(st.at("restarts").to_number<int64_t>(), 0);
  std::set<std::string> pids_after;
  for (auto& r : st.at("replicaDetails").as_array())
    pids_after.insert(std::to_string(r.as_object().at("pid").to_number<int64_t>()));
  EXPECT_EQ(pids_after, pids_before);
}

TEST(Resilience, CrashLoopingFunctionBacksOffAndIsCounted) {
  std::string spec =
      "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: crashy\nspec:\n  template:\n"
      "    spec:\n      containers:\n        - image: x\n          command: [\"sh\", \"-c\", \"echo boom; exit 3\"]\n";
  auto p = start_platform(spec);
  ASSERT_TRUE(p->wait_for([&] { return p->status("crashy").at("restarts").to_number<int64_t>() >= 3; },
                          std::chrono::seconds(10)));
  // Exponential backoff: after ~2 s there have been a handful of attempts, not hundreds.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_LT(p->status("crashy").at("restarts").to_number<int64_t>(), 12);
  auto logs = p->call("GET", "/system/logs?name=crashy");
  EXPECT_NE(logs.body.find("boom"), std::string::npos);
  EXPECT_NE(logs.body.find("exit code 3"), std::string::npos);
}

TEST(Resilience, SigtermStopsEveryReplicaAndExitsZero) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"2\""));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 2; }, std::chrono::seconds(10)));
  std::vector<pid_t> pids;
  const auto st = p->status("hello");
  for (auto& r : st.at("replicaDetails").as_array())
    pids.push_back(pid_t(r.as_object().at("pid").to_number<int64_t>()));
  p->proc->signal(SIGTERM);
  auto code = p->proc->wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << p->proc->stderr_text();
  for (pid_t pid : pids) EXPECT_NE(::kill(pid, 0), 0) << "replica " << pid << " still running";
}

}  // namespace
