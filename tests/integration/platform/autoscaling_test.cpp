// KPA and OpenFaaS CE policies driving real replicas.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "platform_fixture.h"

using namespace mlfaas::test;

namespace {

TEST(Autoscaling, KpaScalesUpUnderSustainedLoadAndBackToZero) {
  // 6 s stable window (the minimum), target 2 concurrent per replica, no grace: fast enough to test.
  auto p = start_platform(hello_service("hello",
                                        "autoscaling.knative.dev/initial-scale: \"0\"\n"
                                        "autoscaling.knative.dev/target: \"2\"\n"
                                        "autoscaling.knative.dev/window: \"6s\"\n"
                                        "autoscaling.knative.dev/max-scale: \"6\""));
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 8; ++t)
    load.emplace_back([&] {
      while (!stop) {
        try {
          (p->call("GET", "/function/hello/?sleep_ms=40").status == 200 ? ok : failed)++;
        } catch (const std::exception&) {
          ++failed;
        }
      }
    });
  // Sustained load for 5 s: 8 clients with 40 ms requests keep ~8 in flight -> 4 replicas at target 2.
  int peak = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < until) {
    peak = std::max(peak, p->ready("hello"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_GE(peak, 3) << "peak ready replicas " << peak;
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 300);
  // Idle for a stable window -> zero.
  bool zero = p->wait_for([&] { return p->status("hello").at("desiredReplicas").to_number<int64_t>() == 0 &&
                                       p->ready("hello") == 0; },
                          std::chrono::seconds(30));
  EXPECT_TRUE(zero) << boost::json::serialize(p->status("hello"));
}

TEST(Autoscaling, OpenFaasCeStepsUpAboveFiveRpsAndNeverGoesToZero) {
  std::string stack = "version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n  hello:\n    image: example/hello\n"
                      "    environment:\n      fprocess: \"" + hello_exe() + "\"\n"
                      "    labels:\n      com.openfaas.scale.min: \"1\"\n      com.openfaas.scale.max: \"3\"\n"
                      "      com.openfaas.scale.factor: \"50\"\n";
  auto p = start_platform(stack);
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, std::chrono::seconds(10)));
  EXPECT_EQ(std::string(p->status("hello").at("autoscaler").as_object().at("policy").as_string()), "openfaas-ce");
  // ~40 rps of 200s for a while: the alert fires after 5 s and steps by ceil(3 x 50%) = 2.
  std::atomic<bool> stop{false};
  std::thread load([&] {
    while (!stop) {
      p->call("GET", "/function/hello/");
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  });
  bool up = p->wait_for([&] { return p->ready("hello") >= 3; }, std::chrono::seconds(20));
  stop = true;
  load.join();
  EXPECT_TRUE(up) << boost::json::serialize(p->status("hello"));
  // Resolved -> back to min (1), never 0.
  bool down = p->wait_for([&] { return p->status("hello").at("desiredReplicas").to_number<int64_t>() == 1; },
                          std::chrono::seconds(20));
  EXPECT_TRUE(down) << boost::json::serialize(p->status("hello"));
}

}  // namespace
