// Knative Eventing with real processes and a real nats-server: broker ingress (binary, structured,
// batched; 400 naming what is missing), triggers with filters, retries, backoff and the dead-letter
// sink, replies, PingSource, SinkBinding, 10,000 events to 3 triggers across a kill -9, and the
// study's prediction-logging topology end to end.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>

#include "../function/service_fixture.h"
#include "platform_fixture.h"
#include "support/bench_target_server.h"
#include "support/callback_receiver.h"
#include "support/paths.h"

using namespace mlfaas::test;

namespace {

std::string broker_yaml(const std::string& name = "default", const std::string& ns = "default") {
  return "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n";
}

// A trigger to a URI; `spec_extra` lines go under spec: (filters, delivery).
std::string trigger_yaml(const std::string& name, const std::string& uri, const std::string& spec_extra = "",
                         const std::string& broker = "default") {
  return "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: " + name +
         "\nspec:\n  broker: " + broker + "\n" + spec_extra + "  subscriber:\n    uri: " + uri + "\n";
}

HttpResult send_binary(const Platform& p, const std::string& id, const std::string& type,
                       const std::string& source = "test/source", const std::string& target = "/default/default",
                       Headers extra = {}) {
  Headers h = {{"ce-specversion", "1.0"}, {"ce-id", id}, {"ce-type", type}, {"ce-source", source},
               {"Content-Type", "application/json"}};
  h.insert(h.end(), extra.begin(), extra.end());
  return p.call("POST", target, R"({"n":")" + id + R"("})", h);
}

std::string doc_sep() { return "---\n"; }

TEST(Eventing, TheIngressValidatesStoresAndTheTriggerDelivers) {
  CallbackReceiver rx;
  auto p = start_platform(hello_service("hello") + doc_sep() + broker_yaml() + doc_sep() + trigger_yaml("all", rx.url()));
  ASSERT_EQ(send_binary(*p, "e1", "t.a").status, 202);
  // Structured mode.
  auto s = p->call("POST", "/default/default",
                   R"({"specversion":"1.0","id":"e2","type":"t.b","source":"x","datacontenttype":"application/json","data":{"k":1},"myext":"v"})",
                   {{"Content-Type", "application/cloudevents+json"}});
  ASSERT_EQ(s.status, 202) << s.body;
  // Batched mode.
  auto b = p->call("POST", "/default/default",
                   R"([{"specversion":"1.0","id":"e3","type":"t","source":"x"},{"specversion":"1.0","id":"e4","type":"t","source":"x"}])",
                   {{"Content-Type", "application/cloudevents-batch+json"}});
  ASSERT_EQ(b.status, 202) << b.body;
  ASSERT_TRUE(p->wait_for([&] { return rx.count() == 4; }, std::chrono::seconds(10))) << rx.count();
  EXPECT_EQ(rx.distinct("ce-id"), (std::set<std::string>{"e1", "e2", "e3", "e4"}));
  for (auto& r : rx.received())
    if (r.header("ce-id") == "e2") {
      EXPECT_EQ(r.header("ce-myext"), "v");
      EXPECT_EQ(r.body, R"({"k":1})");
      EXPECT_FALSE(r.header("ce-knativearrivaltime").empty());
    }
  // Invalid events: 400 naming what is missing, nothing stored.
  auto bad = p->call("POST", "/default/default", "{}", {{"ce-specversion", "1.0"}, {"ce-type", "t"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("id"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("source"), std::string::npos) << bad.body;
  EXPECT_EQ(p->call("POST", "/default/default", "hello", {{"Content-Type", "text/plain"}}).status, 400);
  EXPECT_EQ(p->call("GET", "/default/default").status, 405);
  EXPECT_EQ(p->call("POST", "/default/nope", "{}").status, 404);
  // The same event (source + id) again within minutes is stored once.
  ASSERT_EQ(send_binary(*p, "e1", "t.a").status, 202);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(rx.count(), 4u);
  auto brokers = p->call("GET", "/system/brokers");
  ASSERT_EQ(brokers.status, 200);
  EXPECT_NE(brokers.body.find("\"address\":\"" + p->gateway() + "/default/default\""), std::string::npos) << brokers.body;
  auto cli = run_cli({"trigger", "ls", "--gateway", p->gateway()});
  EXPECT_EQ(cli.code, 0) << cli.err;
  EXPECT_NE(cli.out.find("all"), std::string::npos) << cli.out;
}

TEST(Eventing, TheCliCreatesBrokersAndTriggersAndSendsEvents) {
  CallbackReceiver rx;
  auto p = start_platform(hello_service("hello"));
  const std::string gw = p->gateway();
  auto b = run_cli({"broker", "create", "orders", "-n", "shop", "--gateway", gw});
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_NE(b.out.find(gw + "/shop/orders"), std::string::npos) << b.out;
  auto t = run_cli({"trigger", "create", "paid", "--broker", "orders", "-n", "shop", "--filter", "type=order.paid",
                    "--sink", rx.url(), "--gateway", gw});
  ASSERT_EQ(t.code, 0) << t.err;
  auto send = [&](const char* type) {
    return run_cli({"event", "send", "--to", "orders", "-n", "shop", "--type", type, "-d", R"({"order": 7})", "-e",
                    "tenant=acme", "--gateway", gw});
  };
  ASSERT_EQ(send("order.paid").code, 0);
  ASSERT_EQ(send("order.created").code, 0);
  ASSERT_TRUE(p->wait_for([&] { return rx.count() == 1; }, std::chrono::seconds(10)));
  auto got = rx.received().at(0);
  EXPECT_EQ(got.header("ce-type"), "order.paid");
  EXPECT_EQ(got.header("ce-tenant"), "acme");
  EXPECT_EQ(got.body, R"({"order":7})");  // JSON data, stored structured, comes back compact
  auto ls = run_cli({"broker", "ls", "--gateway", gw});
  EXPECT_NE(ls.out.find("orders"), std::string::npos) << ls.out;
  EXPECT_EQ(run_cli({"trigger", "rm", "paid", "-n", "shop", "--gateway", gw}).code, 0);
  EXPECT_EQ(run_cli({"broker", "rm", "orders", "-n", "shop", "--gateway", gw}).code, 0);
  auto gone = run_cli({"event", "send", "--to", "orders", "-n", "shop", "--type", "x", "--gateway", gw});
  EXPECT_NE(gone.code, 0);
  // Brokers and triggers are saved like functions: see the restart test above for the mechanism.
  auto bad = run_cli({"event", "send", "--to-url", rx.url(), "--type", "", "--gateway", gw});
  EXPECT_NE(bad.code, 0);
}

TEST(Eventing, FiltersSendEachEventToTheTriggersItMatches) {
  CallbackReceiver exact, prefix, legacy, combined;
  const std::string filters =
      "  filters:\n    - any:\n        - exact: {type: t.created}\n        - suffix: {type: .deleted}\n"
      "    - not:\n        prefix: {source: internal/}\n";
  auto p = start_platform(hello_service("hello") + doc_sep() + broker_yaml() + doc_sep() +
                          trigger_yaml("exact", exact.url(), "  filters:\n    - exact:\n        type: t.created\n") +
                          doc_sep() + trigger_yaml("prefix", prefix.url(), "  filters:\n    - prefix:\n        source: shop/\n") +
                          doc_sep() +
                          trigger_yaml("legacy", legacy.url(), "  filter:\n    attributes:\n      type: t.deleted\n      region: \"\"\n") +
                          doc_sep() + trigger_yaml("combined", combined.url(), filters));
  ASSERT_EQ(send_binary(*p, "1", "t.created", "shop/eu").status, 202);
  ASSERT_EQ(send_binary(*p, "2", "t.deleted", "internal/x").status, 202);
  ASSERT_EQ(send_binary(*p, "3", "t.deleted", "shop/us", "/default/default", {{"ce-region", "us"}}).status, 202);
  ASSERT_EQ(send_binary(*p, "4", "t.updated", "other").status, 202);
  ASSERT_TRUE(p->wait_for([&] { return combined.count() == 2 && prefix.count() == 2 && legacy.count() == 1; },
                          std::chrono::seconds(10)))
      << "exact " << exact.count() << ", prefix " << prefix.count() << ", legacy " << legacy.count() << ", combined "
      << combined.count();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(exact.distinct("ce-id"), (std::set<std::string>{"1"}));
  EXPECT_EQ(prefix.distinct("ce-id"), (std::set<std::string>{"1", "3"}));
  // "" matches any value, but an extension must be there (Knative's attributes filter).
  EXPECT_EQ(legacy.distinct("ce-id"), (std::set<std::string>{"3"}));
  EXPECT_EQ(combined.distinct("ce-id"), (std::set<std::string>{"1", "3"}));
  auto bad = p->call("PUT", "/system/functions", trigger_yaml("bad", exact.url(), "  filters:\n    - cesql: \"type = 'x'\"\n"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("spec.filters[0]"), std::string::npos) << bad.body;
}

TEST(Eventing, RetriesWithBackoffThenTheDeadLetterSink) {
  CallbackReceiver failing, dls;
  failing.fail_next(1000, 503);
  const std::string delivery = "  delivery:\n    retry: 2\n    backoffPolicy: linear\n    backoffDelay: PT0.05S\n"
                               "    deadLetterSink:\n      uri: " + dls.url() + "\n";
  auto p = start_platform(hello_service("hello") + doc_sep() + broker_yaml() + doc_sep() +
                          trigger_yaml("flaky", failing.url(), delivery));
  ASSERT_EQ(send_binary(*p, "x1", "t").status, 202);
  ASSERT_TRUE(p->wait_for([&] { return dls.count() == 1; }, std::chrono::seconds(10)));
  EXPECT_EQ(failing.refused(), 3);  // the first attempt and 2 retries
  auto got = dls.received().at(0);
  EXPECT_EQ(got.header("ce-id"), "x1");
  EXPECT_EQ(got.header("ce-knativeerrorcode"), "503");
  EXPECT_EQ(got.header("ce-knativeerrordest"), failing.url());
  // 400 is not retried: straight to the dead-letter sink.
  failing.fail_next(1000, 400);
  const int before = failing.refused();
  ASSERT_EQ(send_binary(*p, "x2", "t").status, 202);
  ASSERT_TRUE(p->wait_for([&] { return dls.count() == 2; }, std::chrono::seconds(10)));
  EXPECT_EQ(failing.refused() - before, 1);
  auto m = p->call("GET", "/metrics").body;
  EXPECT_NE(m.find("mlfaas_trigger_events_total{namespace=\"default\",trigger=\"flaky\",result=\"dead_lettered\"} 2"),
            std::string::npos) << m;
}

TEST(Eventing, ARepliedEventGoesBackIntoTheBroker) {
  CallbackReceiver replier, replies;
  replier.reply_with_event("t.reply");
  auto p = start_platform(hello_service("hello") + doc_sep() + broker_yaml() + doc_sep() +
                          trigger_yaml("ask", replier.url(), "  filters:\n    - exact: {type: t.ask}\n") + doc_sep() +
                          trigger_yaml("answers", replies.url(), "  filters:\n    - exact: {type: t.reply}\n"));
  ASSERT_EQ(send_binary(*p, "q1", "t.ask").status, 202);
  ASSERT_TRUE(p->wait_for([&] { return replies.count() == 1; }, std::chrono::seconds(10)));
  EXPECT_EQ(replies.received().at(0).header("ce-type"), "t.reply");
  EXPECT_EQ(replies.received().at(0).body, R"({"reply":true})");
}

TEST(Eventing, APingSourceSendsOnItsSchedule) {
  CallbackReceiver rx;
  auto p = start_platform(hello_service("hello") + doc_sep() +
                          "apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: tick\nspec:\n"
                          "  schedule: \"* * * * * *\"\n  contentType: application/json\n  data: '{\"hello\": 1}'\n"
                          "  sink:\n    uri: " + rx.url() + "\n");
  ASSERT_TRUE(p->wait_for([&] { return rx.count() >= 2; }, std::chrono::seconds(10)));
  auto e = rx.received().at(0);
  EXPECT_EQ(e.header("ce-type"), "dev.knative.sources.ping");
  EXPECT_EQ(e.header("ce-source"), "/apis/v1/namespaces/default/pingsources/tick");
  EXPECT_EQ(e.body, R"({"hello": 1})");
}

TEST(Eventing, TenThousandEventsToThreeTriggersSurviveAKillOfThePlatform) {
  CallbackReceiver a, b, c;
  // Slow subscribers: 32 at a time per trigger, 100 ms each (320 events/s), so most events are still
  // undelivered at the kill even when the ingest is slow (sanitizer builds).
  for (auto* r : {&a, &b, &c}) r->set_delay(100);
  auto p = start_platform(hello_service("hello") + doc_sep() + broker_yaml() + doc_sep() + trigger_yaml("a", a.url()) +
                              doc_sep() + trigger_yaml("b", b.url()) + doc_sep() + trigger_yaml("c", c.url()),
                          {"--async-ack-wait-ms", "1000"});
  for (int batch = 0; batch < 100; ++batch) {
    std::string body = "[";
    for (int i = 0; i < 100; ++i)
      body += (i ? "," : "") + std::string(R"({"specversion":"1.0","type":"load","source":"test","id":")") +
              std::to_string(batch * 100 + i) + R"("})";
    body += "]";
    ASSERT_EQ(p->call("POST", "/default/default", body, {{"Content-Type", "application/cloudevents-batch+json"}}).status, 202);
  }
  p->proc->signal(SIGKILL);
  p->proc->wait(std::chrono::seconds(10));
  const size_t before = a.distinct("ce-id").size();
  auto restarted = restart_platform(*p, {"--async-ack-wait-ms", "1000"});
  Platform& q = *restarted;
  auto all = [&](CallbackReceiver& r) { return r.distinct("ce-id").size() >= 10'000; };
  ASSERT_TRUE(q.wait_for([&] { return all(a) && all(b) && all(c); }, std::chrono::seconds(180)))
      << a.distinct("ce-id").size() << " " << b.distinct("ce-id").size() << " " << c.distinct("ce-id").size()
      << " (a had " << before << " before the kill)\n" << q.proc->stderr_text();
  EXPECT_LT(before, 10'000u) << "the kill came too late to test anything";
}

TEST(Eventing, ASinkBindingGivesTheFunctionKSink) {
  auto p = start_platform(hello_service("hello", "autoscaling.knative.dev/min-scale: \"1\"") + doc_sep() + broker_yaml() +
                          doc_sep() +
                          "apiVersion: sources.knative.dev/v1\nkind: SinkBinding\nmetadata:\n  name: bind\nspec:\n"
                          "  subject:\n    apiVersion: serving.knative.dev/v1\n    kind: Service\n    name: hello\n"
                          "  sink:\n    ref:\n      apiVersion: eventing.knative.dev/v1\n      kind: Broker\n      name: default\n"
                          "  ceOverrides:\n    extensions:\n      team: ml\n");
  ASSERT_TRUE(p->wait_for([&] { return p->status("hello").at("latestReadyRevisionName").as_string() == "hello-00002"; },
                          std::chrono::seconds(10)));
  auto env = p->status("hello").at("envVars").as_object();
  EXPECT_EQ(env.at("K_SINK").as_string(), p->gateway() + "/default/default");
  EXPECT_NE(std::string(env.at("K_CE_OVERRIDES").as_string()).find("\"team\":\"ml\""), std::string::npos);
  // Removing the binding takes K_SINK away again (a new revision).
  ASSERT_EQ(p->call("DELETE", "/system/eventing/SinkBinding/default/bind").status, 202);
  EXPECT_FALSE(p->status("hello").at("envVars").as_object().contains("K_SINK"));
}

// ../shared/k8s/seed-repo/knative/<file> with the image replaced by a command.
std::string study_file(const std::string& file, const std::string& command) {
  std::ifstream in(source_dir() / "../shared/k8s/seed-repo/knative" / file);
  std::stringstream ss;
  ss << in.rdbuf();
  return std::regex_replace(ss.str(), std::regex(R"((\n\s*)- image: (\S+))"), "$1- image: $2$1  command: " + command);
}

TEST(Eventing, TheStudysPredictionLoggingTopologyLogsEveryPrediction) {
  const std::string exe = mlfaas_exe().string();
  const auto model = tiny_model_dir();
  const std::string logger = study_file("ml-logger-service.yaml", "[\"" + exe + "\", \"event-display\"]");
  if (logger.find("logger-service") == std::string::npos) GTEST_SKIP() << "../shared/k8s/seed-repo not found";
  const std::string classifier =
      study_file("ml-service.yaml", "[\"" + exe + "\", \"serve\", \"--model\", \"" + model.string() + "\"]");
  // The only file of ours: the study's classifier hard-coded a broker URL; here a SinkBinding says where.
  const std::string binding =
      "apiVersion: sources.knative.dev/v1\nkind: SinkBinding\nmetadata:\n  name: ml-predictions\n  namespace: demo\nspec:\n"
      "  subject:\n    apiVersion: serving.knative.dev/v1\n    kind: Service\n    name: ml-image-classifier\n"
      "  sink:\n    ref:\n      apiVersion: eventing.knative.dev/v1\n      kind: Broker\n      name: default\n";
  auto p = start_platform(classifier + doc_sep() + logger + doc_sep() + study_file("ml-logger-broker.yaml", "") + doc_sep() +
                          study_file("ml-logger-trigger.yaml", "") + doc_sep() + binding);
  ASSERT_TRUE(p->wait_for([&] { return p->status("ml-image-classifier").at("envVars").as_object().contains("K_SINK"); },
                          std::chrono::seconds(10)));
  const int n = 10;
  for (int i = 0; i < n; ++i) {
    auto [ct, body] = multipart_body({{"file", "img.jpg", "image/jpeg", test_jpeg(64, 48, uint32_t(i + 1))}});
    auto r = p->call("POST", "/predict", body, {{"Content-Type", ct}, {"Host", "ml-image-classifier.demo.example.com"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto logged = [&] {
    auto r = p->call("GET", "/system/logs?name=logger-service&tail=5000");
    size_t count = 0;
    for (size_t pos = 0; (pos = r.body.find("type: ml.prediction", pos)) != std::string::npos; ++pos) ++count;
    return count;
  };
  ASSERT_TRUE(p->wait_for([&] { return logged() >= size_t(n); }, std::chrono::seconds(30))) << logged();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(logged(), size_t(n));
  auto logs = p->call("GET", "/system/logs?name=logger-service&tail=5000").body;
  EXPECT_NE(logs.find("predicted_class"), std::string::npos) << logs.substr(0, 2000);
  // The study's own sender used Knative's legacy broker address: it works here too.
  auto legacy = send_binary(*p, "legacy-1", "ml.prediction", "ml-service", "/",
                            {{"Host", "default-broker.demo.svc.cluster.local"}});
  EXPECT_EQ(legacy.status, 202) << legacy.body;
  EXPECT_TRUE(p->wait_for([&] { return logged() == size_t(n + 1); }, std::chrono::seconds(10)));
}

TEST(Eventing, TheClassifierAnswersAsUsualWhenItsSinkIsDown) {
  const auto model = tiny_model_dir();
  RefusingPort refusing;
  auto svc = start_service(model, {"--sink", "http://127.0.0.1:" + std::to_string(refusing.port()) + "/"});
  for (int i = 0; i < 20; ++i) {
    auto r = svc->post("/classify", test_jpeg(64, 48, uint32_t(i + 1)), "image/jpeg");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto failed = [&] {
    auto m = svc->get("/metrics").body;
    std::smatch mm;
    return std::regex_search(m, mm, std::regex(R"(mlfaas_events_emitted_total\{result="failed"\} (\d+))"))
               ? std::stoi(mm[1].str())
               : 0;
  };
  ASSERT_TRUE([&] {
    for (int i = 0; i < 100; ++i) {
      if (failed() == 20) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }()) << failed();
}

}  // namespace
