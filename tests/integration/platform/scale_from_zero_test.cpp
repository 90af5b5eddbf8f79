// Requests at zero replicas wait in the gateway's queue and all succeed once replicas are ready.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "platform_fixture.h"
#include "support/onnx_builder.h"
#include "support/paths.h"
#include "../function/service_fixture.h"

using namespace mlfaas::test;

namespace {

// Fires n concurrent requests; returns the count per status (0 = connection-level failure).
std::map<int, int> burst(const Platform& p, int n, const std::string& target, const std::string& body = {},
                         const Headers& headers = {}) {
  std::mutex mu;
  std::map<int, int> codes;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&] {
      int code = 0;
      try {
        code = p.call(body.empty() ? "GET" : "POST", target, body, headers).status;
      } catch (const std::exception&) {
      }
      std::lock_guard lk(mu);
      ++codes[code];
    });
  for (auto& t : threads) t.join();
  return codes;
}

TEST(ScaleFromZero, TwoHundredConcurrentRequestsAtZeroAllSucceed) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/initial-scale: \"0\"\n"
                                                 "autoscaling.knative.dev/target: \"10\""));
  ASSERT_EQ(p->ready("hello"), 0);
  ASSERT_EQ(p->status("hello").at("desiredReplicas").to_number<int64_t>(), 0);
  auto codes = burst(*p, 200, "/function/hello/?sleep_ms=50");
  EXPECT_EQ(codes[200], 200) << "codes: " << codes.size();
  auto st = p->status("hello");
  EXPECT_EQ(st.at("coldStarts").to_number<int64_t>(), 1);
  EXPECT_GE(st.at("readyReplicas").to_number<int64_t>(), 1);
  EXPECT_EQ(st.at("invocationCount").to_number<int64_t>(), 200);
}

TEST(ScaleFromZero, ClassifierAtZeroServesABurstIncludingModelLoad) {
  auto model = make_temp_dir("platform-model");
  write_tiny_model_dir(model, 10, 32);
  std::string spec =
      "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: classifier\nspec:\n  template:\n"
      "    metadata:\n      annotations:\n        autoscaling.knative.dev/initial-scale: \"0\"\n"
      "        autoscaling.knative.dev/max-scale: \"2\"\n"
      "    spec:\n      containerConcurrency: 16\n      containers:\n        - image: example/mlfaas\n"
      "          command: [\"mlfaas\", \"serve\", \"--model\", \"" + model.string() + "\", \"--workers\", \"1\"]\n"
      "          readinessProbe:\n            httpGet:\n              path: /readyz\n";
  auto p = start_platform(spec);
  ASSERT_EQ(p->ready("classifier"), 0);
  const std::string img = test_jpeg(64, 48, 3);
  auto codes = burst(*p, 200, "/function/classifier/classify", img, {{"Content-Type", "image/jpeg"}});
  EXPECT_EQ(codes[200], 200);
  auto st = p->status("classifier");
  EXPECT_EQ(st.at("coldStarts").to_number<int64_t>(), 1);
  // containerConcurrency 16 made requests queue, and the queue asked for the second replica at once.
  EXPECT_EQ(st.at("desiredReplicas").to_number<int64_t>(), 2) << boost::json::serialize(st);
}

TEST(ScaleFromZero, FullQueueGets503WithRetryAfterNotADroppedConnection) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/initial-scale: \"0\""), {"--max-queue", "0"});
  auto r = p->call("GET", "/function/hello/");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_NE(r.body.find("waiting for a replica"), std::string::npos) << r.body;
}

TEST(ScaleFromZero, NoReplicaBeforeTheDeadlineGets503) {
  // `sleep` never listens, so no replica ever becomes ready; the request waits its timeout (1 s).
  std::string spec =
      "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: stuck\nspec:\n  template:\n"
      "    spec:\n      timeoutSeconds: 1\n      containers:\n        - image: x\n          command: [\"sleep\", \"60\"]\n";
  auto p = start_platform(spec);
  auto t0 = std::chrono::steady_clock::now();
  auto r = p->call("GET", "/function/stuck/");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_NE(r.body.find("no replica of function 'stuck' became available within the request's deadline"), std::string::npos) << r.body;
  EXPECT_GE(secs, 0.9);
  EXPECT_LT(secs, 3.0);
}

}  // namespace
