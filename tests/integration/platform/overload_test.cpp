// The gateway under load and time pressure, with real processes: it drops a queued request whose
// client left, cancels a forwarded one, forwards what is left of the deadline, answers an expired
// one without a replica, and never starts more replicas than the node's cores hold.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "platform_fixture.h"

namespace mlfaas::test {
namespace {

using namespace std::chrono_literals;

double metric(const Platform& p, const std::string& series) {
  std::istringstream in(p.call("GET", "/metrics").body);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return 0;
}

// Connects, sends a GET and returns the socket without reading the answer.
int send_get(int port, const std::string& target) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(send(fd, req.data(), req.size(), 0), ssize_t(req.size()));
  return fd;
}

TEST(GatewayOverload, AQueuedRequestWhoseClientLeftIsDroppedNotForwarded) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"1\"\n"
                                                 "autoscaling.knative.dev/max-scale: \"1\"",
                                        "      containerConcurrency: 1\n"));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, 10s));
  HttpResult busy;
  std::thread t([&] { busy = p->call("GET", "/function/hello/?sleep_ms=400"); });
  ASSERT_TRUE(p->wait_for([&] { return p->status("hello").at("inFlight").to_number<int64_t>() == 1; }, 5s));
  int fd = send_get(p->port, "/function/hello/?from=leaver");
  ASSERT_TRUE(p->wait_for([&] { return p->status("hello").at("queueDepth").to_number<int64_t>() == 1; }, 5s));
  close(fd);
  // Dropped at once, while the replica is still busy.
  EXPECT_TRUE(p->wait_for([&] { return p->status("hello").at("queueDepth").to_number<int64_t>() == 0; }, 1s));
  t.join();
  EXPECT_EQ(busy.status, 200);
  EXPECT_EQ(metric(*p, "mlfaas_function_abandoned_total{function_name=\"hello\"}"), 1);
  // Only the busy request reached the replica.
  EXPECT_EQ(metric(*p, "gateway_function_invocation_total{function_name=\"hello\",code=\"200\"}"), 1);
}

TEST(GatewayOverload, AForwardedRequestWhoseClientLeftIsCancelledUpstream) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"1\""));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, 10s));
  int fd = send_get(p->port, "/function/hello/?sleep_ms=3000");
  ASSERT_TRUE(p->wait_for([&] { return p->status("hello").at("inFlight").to_number<int64_t>() == 1; }, 5s));
  close(fd);
  EXPECT_TRUE(p->wait_for(
      [&] { return metric(*p, "mlfaas_function_upstream_cancelled_total{function_name=\"hello\"}") == 1; }, 1s));
  EXPECT_EQ(p->status("hello").at("inFlight").to_number<int64_t>(), 0);
}

TEST(GatewayOverload, TheReplicaGetsWhatIsLeftOfTheDeadline) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"1\"", "      timeoutSeconds: 30\n"));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, 10s));
  auto budget = [](const std::string& echoed) {
    auto at = echoed.find("X-Mlfaas-Timeout-Ms: ");
    return at == std::string::npos ? -1 : std::stoi(echoed.substr(at + 21));
  };
  auto own = p->call("GET", "/function/hello/?headers=1");
  ASSERT_EQ(own.status, 200);
  EXPECT_GT(budget(own.body), 29000) << own.body;
  EXPECT_LE(budget(own.body), 30000) << own.body;
  auto lowered = p->call("GET", "/function/hello/?headers=1", "", {{"X-Mlfaas-Timeout-Ms", "1500"}});
  EXPECT_GT(budget(lowered.body), 1000) << lowered.body;
  EXPECT_LE(budget(lowered.body), 1500) << lowered.body;
  auto grpc = p->call("GET", "/function/hello/?headers=1", "", {{"grpc-timeout", "2S"}});
  EXPECT_LE(budget(grpc.body), 2000) << grpc.body;
  // A budget cannot be raised above the function's timeout.
  auto raised = p->call("GET", "/function/hello/?headers=1", "", {{"X-Mlfaas-Timeout-Ms", "99999999"}});
  EXPECT_LE(budget(raised.body), 30000) << raised.body;
}

TEST(GatewayOverload, AnExpiredDeadlineIsAnsweredWithoutAReplica) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/initial-scale: \"0\""));
  auto r = p->call("GET", "/function/hello/", "", {{"X-Mlfaas-Timeout-Ms", "0"}});
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(metric(*p, "mlfaas_function_rejected_total{function_name=\"hello\",reason=\"expired\"}"), 1);
}

TEST(GatewayOverload, ReplicasNeverExceedTheNodesCores) {
  const std::string spec =
      "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: hello\nspec:\n  template:\n"
      "    metadata:\n      annotations:\n        autoscaling.knative.dev/min-scale: \"4\"\n"
      "    spec:\n      containers:\n        - image: example/hello\n          command: [\"" + hello_exe() + "\"]\n"
      "          resources:\n            requests:\n              cpu: \"1\"\n            limits:\n              cpu: \"1\"\n";
  auto p = start_platform(spec, {"--cpus", "2"});
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 2; }, 10s));
  std::this_thread::sleep_for(300ms);  // nothing else starts
  auto st = p->status("hello");
  EXPECT_EQ(st.at("desiredReplicas").to_number<int64_t>(), 4);
  EXPECT_EQ(st.at("readyReplicas").to_number<int64_t>() + st.at("startingReplicas").to_number<int64_t>(), 2);
  EXPECT_EQ(st.at("pendingReplicas").to_number<int64_t>(), 2);
  EXPECT_NE(std::string(st.at("pendingReason").as_string()).find("Unschedulable"), std::string::npos);
  auto d = run_cli({"describe", "hello", "--gateway", p->gateway()});
  EXPECT_NE(d.out.find("pending 2"), std::string::npos) << d.out;
}

}  // namespace
}  // namespace mlfaas::test
