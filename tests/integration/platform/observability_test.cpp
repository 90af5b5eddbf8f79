// Observability with the real Prometheus: `mlfaas up --prometheus` scrapes the gateway and every
// replica (file_sd), loads the alert rules, and every panel of deploy/grafana/mlfaas-dashboard.json
// returns data for real traffic; `mlfaas bench --prometheus` records the server side; the gateway
// and the function log one JSON line per request with the W3C trace context.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "../function/service_fixture.h"
#include "platform_fixture.h"
#include "support/callback_receiver.h"
#include "support/paths.h"

using namespace mlfaas::test;

namespace {

bool have_prometheus() { return std::system("test -x /usr/bin/prometheus") == 0; }

int free_tcp_port() {
  Subprocess p({"/bin/sh", "-c", "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])'"});
  p.wait(std::chrono::seconds(10));
  return std::atoi(p.stdout_text().c_str());
}

std::string url_encode(const std::string& s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += char(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// {"panel", "refId", "expr"} of every dashboard target, variables substituted.
std::vector<boost::json::object> dashboard_targets() {
  const std::string cmd = "python3 '" + (source_dir() / "deploy/grafana/check_dashboard.py").string() +
                          "' --list --substitute '" + (source_dir() / "deploy/grafana/mlfaas-dashboard.json").string() + "'";
  std::vector<boost::json::object> out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  std::string text;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, f)) text.append(buf, n);
  pclose(f);
  for (auto& line : split_lines(text)) out.push_back(boost::json::parse(line).as_object());
  return out;
}

struct PromResult {
  bool ok = false;
  size_t series = 0;
  std::string error;
};

PromResult query(int port, const std::string& expr) {
  auto r = http_call(port, "GET", "/api/v1/query?query=" + url_encode(expr));
  PromResult p;
  if (r.status != 200) {
    p.error = r.body;
    return p;
  }
  auto v = boost::json::parse(r.body).as_object();
  p.ok = v.at("status").as_string() == "success";
  p.series = v.at("data").as_object().at("result").as_array().size();
  return p;
}

TEST(Observability, EveryDashboardPanelHasDataFromTheRealPrometheus) {
  if (!have_prometheus()) GTEST_SKIP() << "prometheus is not installed (apt install prometheus)";
  const auto targets = dashboard_targets();
  ASSERT_GT(targets.size(), 20u) << "deploy/grafana/check_dashboard.py --list gave nothing";
  CallbackReceiver rx;
  const int prom = free_tcp_port();
  const auto model = tiny_model_dir();
  const std::string classifier =
      "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: classifier\nspec:\n  template:\n"
      "    spec:\n      containers:\n        - image: example/classifier\n          command: [\"" + mlfaas_exe().string() +
      "\", \"serve\", \"--model\", \"" + model.string() + "\"]\n";
  const std::string eventing =
      "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n---\n"
      "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: all\nspec:\n  broker: default\n"
      "  subscriber:\n    uri: " + rx.url() + "\n---\n"
      "apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: tick\nspec:\n  schedule: \"* * * * * *\"\n"
      "  sink:\n    ref:\n      apiVersion: eventing.knative.dev/v1\n      kind: Broker\n      name: default\n";
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"1\"") + "---\n" + classifier +
                              "---\n" + eventing,
                          {"--prometheus", "--prometheus-address", "127.0.0.1:" + std::to_string(prom),
                           "--async-max-attempts", "2", "--async-retry-delay-ms", "50"});
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, std::chrono::seconds(10)));
  // The alert rules are loaded.
  auto rules = http_call(prom, "GET", "/api/v1/rules");
  ASSERT_EQ(rules.status, 200) << rules.body;
  EXPECT_NE(rules.body.find("APIHighInvocationRate"), std::string::npos);
  EXPECT_NE(rules.body.find("MlfaasFunctionErrorRatio"), std::string::npos);

  // Traffic of every kind, for a while, so that every series exists and has several samples.
  const std::string jpeg = test_jpeg(64, 48, 3);
  auto traffic = [&] {
    for (int i = 0; i < 5; ++i) {
      p->call("POST", "/function/classifier/classify", jpeg, {{"Content-Type", "image/jpeg"}});
      p->call("GET", "/function/hello/");
    }
    p->call("GET", "/function/hello/?status=503");
    p->call("POST", "/async-function/hello/", "x", {{"X-Callback-Url", rx.url()}});
    p->call("POST", "/async-function/hello/?status=503", "x");
    p->call("POST", "/default/default", "{}", {{"ce-specversion", "1.0"}, {"ce-id", "x" + std::to_string(rand())},
                                               {"ce-type", "t"}, {"ce-source", "test"}});
    p->call("POST", "/default/default", "{}", {{"ce-specversion", "1.0"}});  // invalid: rejected
  };
  std::map<std::string, bool> panel_has_data;
  std::map<std::string, std::string> errors;
  bool all = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!all && std::chrono::steady_clock::now() < deadline) {
    traffic();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    all = true;
    for (auto& t : targets) {
      const std::string panel(t.at("panel").as_string());
      if (panel_has_data[panel]) continue;
      auto r = query(prom, std::string(t.at("expr").as_string()));
      if (!r.ok) errors[panel] = r.error;  // a query Prometheus refuses is a bug at once
      if (r.ok && r.series > 0) panel_has_data[panel] = true;
    }
    for (auto& t : targets) all = all && panel_has_data[std::string(t.at("panel").as_string())];
  }
  EXPECT_TRUE(errors.empty()) << errors.begin()->first << ": " << errors.begin()->second;
  for (auto& t : targets) {
    const std::string panel(t.at("panel").as_string());
    EXPECT_TRUE(panel_has_data[panel]) << "no data: " << panel << " (" << std::string(t.at("expr").as_string()) << ")";
  }
  // Knative's and Triton's names are there too.
  for (const char* q : {"revision_request_count", "revision_request_latencies_bucket", "autoscaler_desired_pods",
                        "nv_inference_request_success", "nv_inference_count", "nv_inference_queue_duration_us",
                        "nv_inference_pending_request_count"})
    EXPECT_GT(query(prom, q).series, 0u) << q;

  // mlfaas bench --prometheus records the server side.
  const auto out = make_temp_dir("bench-prom") / "run.json";
  const auto report = out.parent_path() / "report";
  auto bench = run_cli({"bench", p->gateway() + "/function/hello/", "-c", "2", "-d", "3s", "--prometheus",
                        "http://127.0.0.1:" + std::to_string(prom), "--json", out.string(), "--report", report.string()});
  ASSERT_EQ(bench.code, 0) << bench.err;
  EXPECT_NE(bench.out.find("Server side (Prometheus"), std::string::npos) << bench.out;
  auto run = boost::json::parse(read_binary(out)).as_object();
  ASSERT_TRUE(run.contains("prometheus"));
  auto& samples = run.at("prometheus").at("samples").as_array();
  ASSERT_GE(samples.size(), 2u);
  EXPECT_TRUE(samples.back().as_object().contains("ready_replicas")) << boost::json::serialize(samples.back());
  EXPECT_TRUE(std::filesystem::exists(report / "server-side.svg"));
}

TEST(Observability, OneJsonLinePerRequestWithTheTraceContext) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"1\""));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, std::chrono::seconds(10)));
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto r = p->call("GET", "/function/hello/x?headers=1", "",
                   {{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"}, {"X-Request-Id", "req-1"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-request-id"), "req-1");
  // The replica got the same trace with the gateway's span as its parent.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.body, m, std::regex("traceparent: 00-" + trace + "-([0-9a-f]{16})-01"))) << r.body;
  const std::string gateway_span = m[1];
  EXPECT_NE(gateway_span, "00f067aa0ba902b7");
  auto logged = [&] {
    for (auto& line : split_lines(p->proc->stdout_text()))
      if (line.find("\"request_id\":\"req-1\"") != std::string::npos) return line;
    return std::string();
  };
  ASSERT_TRUE(p->wait_for([&] { return !logged().empty(); }, std::chrono::seconds(5))) << p->proc->stdout_text();
  auto line = boost::json::parse(logged()).as_object();
  EXPECT_EQ(std::string(line.at("msg").as_string()), "request");
  EXPECT_EQ(std::string(line.at("method").as_string()), "GET");
  EXPECT_EQ(std::string(line.at("path").as_string()), "/x?headers=1");
  EXPECT_EQ(line.at("status").to_number<int64_t>(), 200);
  EXPECT_EQ(std::string(line.at("function").as_string()), "hello");
  EXPECT_EQ(std::string(line.at("revision").as_string()), "hello-00001");
  EXPECT_EQ(std::string(line.at("trace_id").as_string()), trace);
  EXPECT_EQ(std::string(line.at("span_id").as_string()), gateway_span);
  EXPECT_EQ(std::string(line.at("parent_span_id").as_string()), "00f067aa0ba902b7");
  EXPECT_TRUE(std::regex_match(std::string(line.at("time").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
  for (const char* k : {"bytes", "duration_ms", "replica", "queue_ms", "cold_start", "remote"}) EXPECT_TRUE(line.contains(k)) << k;
  // Without a traceparent the gateway starts a trace.
  auto fresh = p->call("GET", "/function/hello/?headers=1");
  EXPECT_TRUE(std::regex_search(fresh.body, std::regex("traceparent: 00-[0-9a-f]{32}-[0-9a-f]{16}-01"))) << fresh.body;
}

TEST(Observability, TheClassifierLogsJsonAndItsEventsCarryTheTrace) {
  CallbackReceiver sink;
  auto svc = start_service(tiny_model_dir(), {"--sink", sink.url()});
  const std::string trace = "0af7651916cd43dd8448eb211c80319c";
  auto r = http_call(svc->port, "POST", "/classify", test_jpeg(64, 48, 1),
                     {{"Content-Type", "image/jpeg"}, {"traceparent", "00-" + trace + "-b7ad6b7169203331-01"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE([&] {
    for (int i = 0; i < 100 && sink.count() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return sink.count() == 1;
  }());
  EXPECT_EQ(sink.received().at(0).header("ce-traceparent"), "00-" + trace + "-b7ad6b7169203331-01");
  bool found = false;
  for (auto& line : split_lines(svc->proc->stdout_text())) {
    if (line.find("\"trace_id\":\"" + trace + "\"") == std::string::npos) continue;
    auto o = boost::json::parse(line).as_object();
    EXPECT_EQ(std::string(o.at("component").as_string()), "function");
    EXPECT_EQ(std::string(o.at("path").as_string()), "/classify");
    EXPECT_EQ(std::string(o.at("parent_span_id").as_string()), "b7ad6b7169203331");
    found = true;
  }
  EXPECT_TRUE(found) << svc->proc->stdout_text();
}

}  // namespace
