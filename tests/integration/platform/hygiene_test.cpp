// Process hygiene of `mlfaas up`: nothing a replica started outlives its replica or the platform
// (kill -9 included), replicas inherit no descriptor of the platform, and SIGTERM answers the
// requests already received before stopping.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>
#include <thread>

#include "platform_fixture.h"

namespace mlfaas::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Live processes whose process group is `pgid`.
std::vector<pid_t> group_members(pid_t pgid) {
  std::vector<pid_t> out;
  for (auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(e.path() / "stat");
    std::string stat;
    std::getline(f, stat);
    auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(close_paren + 2));
    char state;
    pid_t ppid, pgrp;
    rest >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != 'Z') out.push_back(pid_t(std::stoi(name)));
  }
  return out;
}

bool port_bindable(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// A replica that is a shell running the hello function, with a grandchild that would outlive it.
std::string shell_service(const std::string& name) {
  return "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: " + name +
         "\nspec:\n  template:\n    metadata:\n      annotations:\n        autoscaling.knative.dev/min-scale: \"1\"\n"
         "    spec:\n      containers:\n        - image: example/hello\n          command: [\"/bin/sh\", \"-c\", "
         "\"sleep 300 & " + hello_exe() + "; wait\"]\n";
}

pid_t replica_pid(const Platform& p, const std::string& fn) {
  auto st = p.status(fn);
  auto& reps = st.at("replicaDetails").as_array();
  return reps.empty() ? 0 : pid_t(reps[0].as_object().at("pid").to_number<int64_t>());
}

TEST(Hygiene, KillNineOfThePlatformLeavesNoReplicaNorGrandchildAndFreesThePort) {
  auto p = start_platform(shell_service("shelly"));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("shelly") == 1; }, 10s));
  const pid_t pgid = replica_pid(*p, "shelly");
  ASSERT_GT(pgid, 0);
  ASSERT_GE(group_members(pgid).size(), 3u);  // sh, sleep, hello
  p->proc->signal(SIGKILL);
  p->proc->wait(5s);
  auto t0 = std::chrono::steady_clock::now();
  while (!group_members(pgid).empty() && std::chrono::steady_clock::now() - t0 < 5s) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(group_members(pgid).empty()) << group_members(pgid).size() << " processes survived";
  EXPECT_TRUE(p->wait_for([&] { return port_bindable(p->port); }, 5s)) << "the gateway's port is still held";
}

TEST(Hygiene, RemovingAFunctionStopsWhatItsReplicaStarted) {
  auto p = start_platform(shell_service("shelly"));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("shelly") == 1; }, 10s));
  const pid_t pgid = replica_pid(*p, "shelly");
  ASSERT_GE(group_members(pgid).size(), 3u);
  auto r = p->call("DELETE", "/system/functions", R"({"functionName":"shelly"})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto t0 = std::chrono::steady_clock::now();
  while (!group_members(pgid).empty() && std::chrono::steady_clock::now() - t0 < 15s) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(group_members(pgid).empty());
}

TEST(Hygiene, ReplicasInheritNoDescriptorOfThePlatform) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"1\""));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, 10s));
  const pid_t pid = replica_pid(*p, "hello");
  // Every socket the replica holds is its own: the platform's listening socket is not among them.
  std::set<std::string> platform_sockets;
  for (auto& e : fs::directory_iterator("/proc/" + std::to_string(p->proc->pid()) + "/fd")) {
    std::error_code ec;
    auto target = fs::read_symlink(e.path(), ec).string();
    if (target.rfind("socket:", 0) == 0) platform_sockets.insert(target);
  }
  ASSERT_FALSE(platform_sockets.empty());
  for (auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    auto target = fs::read_symlink(e.path(), ec).string();
    EXPECT_EQ(platform_sockets.count(target), 0u) << "fd " << e.path().filename() << " -> " << target;
  }
}

TEST(Hygiene, SigtermAnswersTheRequestsAlreadyReceived) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"1\"", "      containerConcurrency: 2\n"),
                          {"--drain-grace-ms", "10000"});
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, 10s));
  std::vector<std::thread> clients;
  std::atomic<int> ok{0}, failed{0};
  for (int i = 0; i < 6; ++i)  // 2 running, 4 queued in the gateway
    clients.emplace_back([&] {
      try {
        (p->call("GET", "/function/hello/?sleep_ms=300").status == 200 ? ok : failed)++;
      } catch (const std::exception&) {
        failed++;
      }
    });
  ASSERT_TRUE(p->wait_for([&] { return p->status("hello").at("inFlight").to_number<int64_t>() == 6; }, 5s));
  p->proc->signal(SIGTERM);
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(failed.load(), 0);
  auto code = p->proc->wait(15s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
}

}  // namespace
}  // namespace mlfaas::test
