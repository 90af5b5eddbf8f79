// What the admin API does with hostile input, even from an authenticated caller: every bad spec
// is a 400 naming the problem, oversized documents are refused before they are read, and the
// platform's state stays valid.
#include <gtest/gtest.h>

#include <chrono>

#include "platform_fixture.h"

namespace mlfaas::test {
namespace {

const std::string kHead = "apiVersion: serving.knative.dev/v1\nkind: Service\n";

std::string service(const std::string& name, const std::string& annotations, const std::string& command) {
  return kHead + "metadata: {name: " + name + "}\nspec:\n  template:\n    metadata:\n      annotations:\n" + annotations +
         "    spec:\n      containers:\n        - image: x\n          command: [" + command + "]\n";
}

TEST(HostileApi, BadSpecsAre400sAndTheListStaysValidJson) {
  auto p = start_platform(hello_service("hello"));
  struct Case {
    std::string body, needle;
  };
  const std::vector<Case> cases = {
      {service("many", "        autoscaling.knative.dev/min-scale: \"500\"\n", "\"/bin/true\""), "min-scale: 500 is above"},
      {service("many", "        autoscaling.knative.dev/initial-scale: \"10000\"\n", "\"/bin/true\""), "initial-scale"},
      {service("utf", "        a: b\n", "\"/bin/echo\", \"\xc3\x28\""), "not valid UTF-8"},
      {kHead + "metadata: x\n", "wrong type"},
      {kHead + "metadata: {name: n, namespace: \"Bad_NS\"}\nspec: {template: {spec: {containers: [{image: x, command: [a]}]}}}\n",
       "namespace"},
  };
  for (auto& c : cases) {
    auto r = p->call("POST", "/system/functions", c.body);
    EXPECT_EQ(r.status, 400) << c.needle << ": " << r.body;
    EXPECT_NE(r.body.find(c.needle), std::string::npos) << r.body;
  }
  auto list = p->call("GET", "/system/functions");
  ASSERT_EQ(list.status, 200);
  auto& arr = list.json().as_array();  // parses
  EXPECT_EQ(arr.size(), 1u);
  auto ls = run_cli({"ls", "--gateway", p->gateway()});
  EXPECT_EQ(ls.code, 0) << ls.err;
}

TEST(HostileApi, AnOversizedDocumentIsRefusedBeforeItIsRead) {
  auto p = start_platform(hello_service("hello"));
  auto t0 = std::chrono::steady_clock::now();
  auto r = p->call("POST", "/system/functions", std::string(64 << 20, 'a'));
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_NE(r.body.find("1048576"), std::string::npos) << r.body;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10.0);
  EXPECT_EQ(p->call("GET", "/system/functions").status, 200);
}

TEST(HostileApi, ScaleRequestsAboveTheLimitAre400) {
  auto p = start_platform(hello_service("hello"));
  auto r = p->call("POST", "/system/scale-function/hello", R"({"replicas": 500})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("between"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace mlfaas::test
