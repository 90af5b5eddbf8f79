// A function whose replicas exit before they are ready fails fast, with the cause, and recovers
// by itself once it can start again.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "platform_fixture.h"
#include "support/paths.h"

namespace mlfaas::test {
namespace {

using namespace std::chrono_literals;

TEST(FailingFunction, AnswersWithTheCauseWithinSecondsAndRecoversWhenFixed) {
  auto dir = make_temp_dir("failing");
  const auto fixed = dir / "fixed";
  const std::string spec =
      "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n  template:\n"
      "    metadata:\n      annotations:\n        autoscaling.knative.dev/min-scale: \"1\"\n"
      "    spec:\n      containers:\n        - image: example/hello\n          command: [\"/bin/sh\", \"-c\", "
      "\"if [ -f " + fixed.string() + " ]; then exec " + hello_exe() + "; fi; "
      "echo 'model not found: looked in /nowhere' >&2; exit 2\"]\n";
  auto p = start_platform(spec);
  auto t0 = std::chrono::steady_clock::now();
  auto r = p->call("GET", "/function/broken/");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_LT(secs, 10.0);
  EXPECT_NE(r.body.find("exit code 2"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("model not found: looked in /nowhere"), std::string::npos) << r.body;
  EXPECT_FALSE(r.header("retry-after").empty());
  // Again, at once.
  t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(p->call("GET", "/function/broken/").status, 503);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
  // The status says so, as Knative's Ready condition would.
  auto st = p->status("broken");
  auto& cond = st.at("conditions").as_array().at(0).as_object();
  EXPECT_EQ(cond.at("status").as_string(), "False");
  EXPECT_EQ(cond.at("reason").as_string(), "ExitCode");
  auto d = run_cli({"describe", "broken", "--gateway", p->gateway()});
  EXPECT_NE(d.out.find("Ready=False (ExitCode)"), std::string::npos) << d.out;

  // Fixed: the back-off restarts pick it up and traffic flows again.
  write_binary(fixed, "");
  EXPECT_TRUE(p->wait_for([&] { return p->ready("broken") == 1; }, 20s));
  EXPECT_EQ(p->call("GET", "/function/broken/").status, 200);
  EXPECT_EQ(p->status("broken").at("conditions").as_array().at(0).as_object().at("status").as_string(), "True");
}

}  // namespace
}  // namespace mlfaas::test
