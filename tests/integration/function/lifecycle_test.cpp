// Process lifecycle: readiness gating, SIGTERM drain (in-flight requests finish, exit 0), port in
// use, the Knative $PORT contract.
#include <gtest/gtest.h>
#include <signal.h>

#include "service_fixture.h"
#include "support/paths.h"

using namespace mlfaas::test;

namespace {

TEST(Lifecycle, SigtermFinishesInFlightRequestsThenExitsZero) {
  auto svc = start_service(tiny_model_dir(), {"--workers", "1", "--drain-delay-ms", "300"});
  std::vector<Part> parts(48, Part{"file", "a.jpg", "image/jpeg", test_jpeg(640, 480)});
  auto [ct, body] = multipart_body(parts);
  HttpResult slow;
  std::thread t([&, ct = ct, body = body] { slow = svc->post("/classify", body, ct); });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  svc->proc->signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // During the drain delay: not ready, but requests are still served.
  auto ready = svc->get("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.json().as_object().at("status").as_string(), "draining");
  EXPECT_EQ(svc->get("/_/ready").status, 503);
  EXPECT_EQ(svc->post("/classify", test_jpeg(), "image/jpeg").status, 200);
  t.join();
  EXPECT_EQ(slow.status, 200) << slow.body;
  EXPECT_EQ(slow.json().as_array().size(), 48u);
  auto code = svc->proc->wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value()) << "did not exit after SIGTERM";
  EXPECT_EQ(*code, 0) << svc->proc->stderr_text();
  EXPECT_THROW(svc->get("/healthz"), std::exception);  // listener closed
}

TEST(Lifecycle, ListensOnPortEnvironmentVariable) {
  int port = free_port();
  Subprocess p({mlfaas_exe().string(), "serve", "--model", tiny_model_dir().string(), "--address", "127.0.0.1"},
               {{"PORT", std::to_string(port)}});
  ASSERT_TRUE(p.wait_http_ok(port, "/readyz", std::chrono::seconds(20))) << p.stderr_text();
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(std::chrono::seconds(10)).value_or(-1), 0);
}

TEST(Lifecycle, PortInUseIsAClearErrorAndNonZeroExit) {
  auto svc = start_service(tiny_model_dir());
  Subprocess p({mlfaas_exe().string(), "serve", "--model", tiny_model_dir().string(), "--address", "127.0.0.1",
                "--port", std::to_string(svc->port)});
  auto code = p.wait(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  EXPECT_NE(p.stderr_text().find(std::to_string(svc->port)), std::string::npos) << p.stderr_text();
}

TEST(Lifecycle, MissingModelIsAClearErrorAndNonZeroExit) {
  auto empty = make_temp_dir("no-model");
  Subprocess p({mlfaas_exe().string(), "serve", "--model", empty.string(), "--port", std::to_string(free_port())});
  auto code = p.wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(p.stderr_text().find("no model.onnx"), std::string::npos) << p.stderr_text();
}

}  // namespace
