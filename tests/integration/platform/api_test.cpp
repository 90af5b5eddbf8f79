// The gateway API and CLI: routing (path and Host), forwarded headers, deploy/ls/describe/
// invoke/scale/rm/logs, metrics.
#include <gtest/gtest.h>

#include "platform_fixture.h"
#include "support/paths.h"
#include "support/promtool.h"

using namespace mlfaas::test;

namespace {

class Api : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"1\"")).release();
    p->wait_for([] { return p->ready("hello") == 1; }, std::chrono::seconds(10));
  }
  static void TearDownTestSuite() { delete p; }
  static Platform* p;
};
Platform* Api::p = nullptr;

TEST_F(Api, PathAndHostRoutingWithForwardedHeaders) {
  auto a = p->call("GET", "/function/hello/some/path?x=1");
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.body.find("hello from hello-00001"), std::string::npos) << a.body;
  EXPECT_FALSE(a.header("x-duration-seconds").empty());
  auto ns = p->call("GET", "/function/hello.default/");
  EXPECT_EQ(ns.status, 200);
  EXPECT_EQ(p->call("GET", "/function/hello.other/").status, 404);
  auto host = p->call("GET", "/anything?headers=1", "", {{"Host", "hello.default.example.com"}});
  EXPECT_EQ(host.status, 200);
  EXPECT_NE(host.body.find("GET /anything?headers=1"), std::string::npos) << host.body;
  EXPECT_NE(host.body.find("X-Forwarded-For: 127.0.0.1"), std::string::npos) << host.body;
  EXPECT_NE(host.body.find("X-Forwarded-Proto: http"), std::string::npos) << host.body;
  EXPECT_NE(host.body.find("X-Forwarded-Host: hello.default.example.com"), std::string::npos) << host.body;
  EXPECT_NE(host.body.find("Forwarded: for=127.0.0.1"), std::string::npos) << host.body;
  auto missing = p->call("GET", "/function/nope/");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("function 'nope' is not deployed"), std::string::npos);
  EXPECT_EQ(p->call("GET", "/nowhere").status, 404);
}

TEST_F(Api, FunctionStatusCarriesOpenFaasAndMlfaasFields) {
  auto st = p->status("hello");
  for (const char* k : {"name", "image", "replicas", "availableReplicas", "invocationCount", "labels", "annotations",
                        "desiredReplicas", "readyReplicas", "queueDepth", "inFlight", "coldStarts", "restarts",
                        "autoscaler", "replicaDetails", "revision"})
    EXPECT_TRUE(st.contains(k)) << k;
  auto list = p->call("GET", "/system/functions");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(boost::json::parse(list.body).as_array().size(), 1u);
  auto info = p->call("GET", "/system/info");
  EXPECT_NE(info.body.find("\"provider\":\"mlfaas\""), std::string::npos);
}

TEST_F(Api, CliDeployLsDescribeInvokeScaleLogsRm) {
  auto dir = make_temp_dir("cli-spec");
  write_binary(dir / "second.yaml", hello_service("second", "autoscaling.knative.dev/min-scale: \"1\""));
  auto dep = run_cli({"deploy", (dir / "second.yaml").string(), "--gateway", p->gateway()});
  ASSERT_EQ(dep.code, 0) << dep.err;
  EXPECT_NE(dep.out.find("deployed second"), std::string::npos);
  ASSERT_TRUE(p->wait_for([] { return p->ready("second") == 1; }, std::chrono::seconds(10)));
  auto ls = run_cli({"ls", "--gateway", p->gateway()});
  EXPECT_EQ(ls.code, 0);
  EXPECT_NE(ls.out.find("second"), std::string::npos);
  EXPECT_NE(ls.out.find("hello"), std::string::npos);
  auto inv = run_cli({"invoke", "second", "--path", "/x", "--gateway", p->gateway()});
  EXPECT_EQ(inv.code, 0) << inv.err;
  EXPECT_NE(inv.out.find("hello from second-00001"), std::string::npos) << inv.out;
  auto sc = run_cli({"scale", "second", "3", "--gateway", p->gateway()});
  EXPECT_EQ(sc.code, 0) << sc.err;
  EXPECT_TRUE(p->wait_for([] { return p->ready("second") == 3; }, std::chrono::seconds(10)));
  auto desc = run_cli({"describe", "second", "--gateway", p->gateway()});
  EXPECT_EQ(desc.code, 0);
  EXPECT_NE(desc.out.find("autoscaler:    kpa"), std::string::npos) << desc.out;
  EXPECT_NE(desc.out.find("ready"), std::string::npos);
  auto logs = run_cli({"logs", "second", "--gateway", p->gateway()});
  EXPECT_EQ(logs.code, 0);
  EXPECT_NE(logs.out.find("hello: listening on"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("ready in"), std::string::npos) << logs.out;
  // Deploying the same template again changes nothing (Knative); a changed template makes a new
  // revision, and the old one's replicas drain once the new one is ready.
  auto same = run_cli({"deploy", (dir / "second.yaml").string(), "--gateway", p->gateway()});
  EXPECT_EQ(same.code, 0);
  EXPECT_EQ(std::string(p->status("second").at("revision").as_string()), "second-00001");
  write_binary(dir / "second.yaml", hello_service("second", "autoscaling.knative.dev/min-scale: \"1\"\nexample.com/v: \"2\""));
  auto again = run_cli({"deploy", (dir / "second.yaml").string(), "--gateway", p->gateway()});
  EXPECT_EQ(again.code, 0);
  EXPECT_NE(again.out.find("revision second-00002"), std::string::npos) << again.out;
  EXPECT_TRUE(p->wait_for([] { return std::string(p->status("second").at("revision").as_string()) == "second-00002"; },
                          std::chrono::seconds(5)));
  EXPECT_TRUE(p->wait_for(
      [] { return p->call("GET", "/function/second/").body.find("second-00002") != std::string::npos; },
      std::chrono::seconds(10)));
  auto rm = run_cli({"rm", "second", "--gateway", p->gateway()});
  EXPECT_EQ(rm.code, 0) << rm.err;
  EXPECT_EQ(p->call("GET", "/function/second/").status, 404);
  auto rm2 = run_cli({"rm", "second", "--gateway", p->gateway()});
  EXPECT_EQ(rm2.code, 1);
  EXPECT_NE(rm2.err.find("not deployed"), std::string::npos);
}

TEST_F(Api, ScaleIsValidatedAgainstThePolicy) {
  auto r = p->call("POST", "/system/scale-function/hello", R"({"replicas": 0})");
  EXPECT_EQ(r.status, 400);  // min-scale 1
  EXPECT_NE(r.body.find("between 1 and"), std::string::npos) << r.body;
  EXPECT_EQ(p->call("POST", "/system/scale-function/hello", "nope").status, 400);
  EXPECT_EQ(p->call("POST", "/system/scale-function/nope", R"({"replicas": 1})").status, 404);
}

TEST_F(Api, CliWithoutAGatewayExplains) {
  auto r = run_cli({"ls", "--gateway", "http://127.0.0.1:1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot reach the gateway"), std::string::npos) << r.err;
}

TEST_F(Api, MetricsWithOpenFaasNamesPassPromtool) {
  p->call("GET", "/function/hello/");
  auto m = p->call("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  for (const char* needle :
       {"gateway_function_invocation_total{function_name=\"hello\",code=\"200\"}", "gateway_functions_seconds_bucket",
        "gateway_service_count{function_name=\"hello\"}", "gateway_function_invocation_started{function_name=\"hello\"}",
        "mlfaas_function_queue_depth", "mlfaas_function_ready_replicas{function_name=\"hello\"} 1",
        "mlfaas_function_desired_replicas", "mlfaas_function_cold_starts_total"})
    EXPECT_NE(m.body.find(needle), std::string::npos) << needle;
  if (!have_promtool()) GTEST_SKIP() << "promtool not installed";
  auto findings = promtool_check_metrics(m.body);
  ASSERT_TRUE(findings);
  // The exposition must parse; the only lint findings allowed are about the names borrowed from
  // OpenFaaS and Knative (their dashboards and alert rules depend on them).
  for (auto& line : *findings) EXPECT_TRUE(borrowed_name_finding(line)) << "promtool: " << line;
}

}  // namespace
