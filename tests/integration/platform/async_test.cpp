// Async invocations with real processes and a real nats-server: OpenFaaS's /async-function
// contract (202 + X-Call-Id, callback with the function's result), retries then the dead-letter
// stream, replay, the per-function concurrency limit, and no accepted call lost across kill -9 of
// the platform or of its queue's nats-server.
#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <thread>

#include "platform_fixture.h"
#include "support/callback_receiver.h"
#include "support/paths.h"

using namespace mlfaas::test;

namespace {

// mlfaas-hello with min-scale 1 and extra env lines ("name: value").
std::string hello_with_env(const std::string& name, const std::string& env_name = "", const std::string& env_value = "") {
  std::string y = hello_service(name, "autoscaling.knative.dev/min-scale: \"1\"");
  if (!env_name.empty())
    y += "          env:\n            - name: " + env_name + "\n              value: \"" + env_value + "\"\n";
  return y;
}

HttpResult post_async(const Platform& p, const std::string& target, const std::string& callback,
                      const Headers& extra = {}, const std::string& body = "payload") {
  Headers h = extra;
  if (!callback.empty()) h.emplace_back("X-Callback-Url", callback);
  return p.call("POST", target, body, h);
}

boost::json::object queue(const Platform& p) {
  auto r = p.call("GET", "/system/queue");
  if (r.status != 200) throw std::runtime_error(r.body);
  return boost::json::parse(r.body).as_object();
}

int64_t dead_letters(const Platform& p) { return queue(p).at("deadLetters").to_number<int64_t>(); }

TEST(Async, AThousandCallsAllCallBackWithTheirCallId) {
  CallbackReceiver cb;
  auto p = start_platform(hello_with_env("hello"));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, std::chrono::seconds(10)));
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto r = post_async(*p, "/async-function/hello/path?i=" + std::to_string(i), cb.url());
    ASSERT_EQ(r.status, 202) << r.body;
    ASSERT_FALSE(r.header("x-call-id").empty());
    ids.insert(r.header("x-call-id"));
  }
  EXPECT_EQ(ids.size(), 1000u);
  ASSERT_TRUE(p->wait_for([&] { return cb.call_ids().size() >= 1000; }, std::chrono::seconds(120)))
      << cb.call_ids().size() << " callbacks";
  EXPECT_EQ(cb.call_ids(), ids);
  for (auto& r : cb.received()) {
    EXPECT_EQ(r.status, "200");
    EXPECT_EQ(r.function, "hello");
    EXPECT_FALSE(r.duration.empty());
    EXPECT_NE(r.body.find("hello from hello-00001"), std::string::npos) << r.body;
  }
  auto m = p->call("GET", "/metrics").body;
  EXPECT_NE(m.find("mlfaas_async_enqueued_total{function_name=\"hello\"} 1000"), std::string::npos);
  EXPECT_NE(m.find("mlfaas_async_completed_total{function_name=\"hello\",code=\"200\"} "), std::string::npos);
}

TEST(Async, TheFunctionGetsTheOriginalMethodPathQueryHeadersAndBody) {
  CallbackReceiver cb;
  auto p = start_platform(hello_with_env("hello"));
  auto r = p->call("PUT", "/async-function/hello/some/path?headers=1&x=2", "the body",
                   {{"X-Callback-Url", cb.url()}, {"X-Custom", "kept"}, {"Content-Type", "text/plain"}});
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(p->wait_for([&] { return cb.count() == 1; }, std::chrono::seconds(20)));
  auto got = cb.received().at(0);
  EXPECT_EQ(got.call_id, r.header("x-call-id"));
  EXPECT_NE(got.body.find("PUT /some/path?headers=1&x=2 HTTP/1.1"), std::string::npos) << got.body;
  EXPECT_NE(got.body.find("X-Custom: kept"), std::string::npos) << got.body;
  EXPECT_NE(got.body.find("X-Call-Id: " + got.call_id), std::string::npos) << got.body;
  EXPECT_NE(got.body.find("Content-Length: 8"), std::string::npos) << got.body;
}

TEST(Async, MistakesAreRefusedBeforeAnythingIsQueued) {
  auto p = start_platform(hello_with_env("hello"));
  auto missing = post_async(*p, "/async-function/nope/", "");
  EXPECT_EQ(missing.status, 404);  // OpenFaaS says 202 here (openfaas/faas#1298)
  EXPECT_NE(missing.body.find("function 'nope' is not deployed"), std::string::npos);
  auto bad_cb = post_async(*p, "/async-function/hello/", "ftp://example.com/x");
  EXPECT_EQ(bad_cb.status, 400);
  EXPECT_NE(bad_cb.body.find("X-Callback-Url"), std::string::npos) << bad_cb.body;
  auto bad_id = post_async(*p, "/async-function/hello/", "", {{"X-Call-Id", "has space"}});
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_EQ(queue(*p).at("functions").as_array().at(0).at("queued").to_number<int64_t>(), 0);
}

TEST(Async, ACallersCallIdMakesEnqueueingIdempotent) {
  CallbackReceiver cb;
  auto p = start_platform(hello_with_env("hello"));
  for (int i = 0; i < 3; ++i) {
    auto r = post_async(*p, "/async-function/hello/", cb.url(), {{"X-Call-Id", "order-42"}});
    ASSERT_EQ(r.status, 202);
    EXPECT_EQ(r.header("x-call-id"), "order-42");
  }
  ASSERT_TRUE(p->wait_for([&] { return cb.count() >= 1; }, std::chrono::seconds(20)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(cb.count(), 1u);
}

TEST(Async, AFunctionThatAlwaysFailsEndsInTheDeadLetterStreamAndCanBeReplayed) {
  CallbackReceiver cb;
  auto p = start_platform(hello_with_env("hello"), {"--async-max-attempts", "3", "--async-retry-delay-ms", "50"});
  auto r = post_async(*p, "/async-function/hello/?status=503", cb.url());
  ASSERT_EQ(r.status, 202);
  const std::string id = r.header("x-call-id");
  ASSERT_TRUE(p->wait_for([&] { return dead_letters(*p) == 1; }, std::chrono::seconds(20)));
  EXPECT_EQ(cb.count(), 0u);  // no result: no callback
  auto dl = p->call("GET", "/system/queue/dead-letters?function=hello");
  ASSERT_EQ(dl.status, 200);
  auto& entry = dl.json().as_array().at(0).as_object();
  EXPECT_EQ(entry.at("callId").as_string(), id);
  EXPECT_EQ(entry.at("reason").as_string(), "retries-exhausted");
  EXPECT_EQ(entry.at("status").to_number<int64_t>(), 503);
  EXPECT_EQ(entry.at("attempts").to_number<int64_t>(), 3);
  EXPECT_EQ(entry.at("target").as_string(), "/?status=503");
  auto m = p->call("GET", "/metrics").body;
  EXPECT_NE(m.find("mlfaas_async_retries_total{function_name=\"hello\"} 2"), std::string::npos) << m;

  auto cli = run_cli({"queue", "dead-letters", "hello", "--gateway", p->gateway()});
  EXPECT_EQ(cli.code, 0) << cli.err;
  EXPECT_NE(cli.out.find(id), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("retries-exhausted"), std::string::npos) << cli.out;
  // Replayed, it runs (and fails) again, and comes back to the dead letters.
  auto replay = run_cli({"queue", "replay", "hello", "--gateway", p->gateway()});
  EXPECT_EQ(replay.code, 0) << replay.err;
  EXPECT_NE(replay.out.find("replayed 1"), std::string::npos) << replay.out;
  ASSERT_TRUE(p->wait_for([&] { return dead_letters(*p) == 1 && queue(*p).at("functions").as_array().at(0).at("inProgress").to_number<int64_t>() == 0; },
                          std::chrono::seconds(20)));
  auto again = p->call("GET", "/system/queue/dead-letters");
  EXPECT_EQ(again.json().as_array().at(0).at("callId").as_string(), id);

  // A final answer (500) is not retried: the callback gets it.
  auto e500 = post_async(*p, "/async-function/hello/?status=500", cb.url());
  ASSERT_TRUE(p->wait_for([&] { return cb.count() == 1; }, std::chrono::seconds(20)));
  EXPECT_EQ(cb.received().at(0).status, "500");
  EXPECT_EQ(cb.received().at(0).call_id, e500.header("x-call-id"));
}

TEST(Async, CallbacksAreRetried) {
  CallbackReceiver cb;
  cb.fail_next(2, 503);
  auto p = start_platform(hello_with_env("hello"));
  auto r = post_async(*p, "/async-function/hello/", cb.url());
  ASSERT_TRUE(p->wait_for([&] { return cb.count() == 1; }, std::chrono::seconds(20)));
  EXPECT_EQ(cb.refused(), 2);
  EXPECT_EQ(cb.received().at(0).call_id, r.header("x-call-id"));
}

TEST(Async, TheFunctionsMaxInflightLimitsConcurrentCalls) {
  CallbackReceiver cb;
  auto p = start_platform(hello_with_env("slow", "max_inflight", "2"));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("slow") == 1; }, std::chrono::seconds(10)));
  for (int i = 0; i < 12; ++i) ASSERT_EQ(post_async(*p, "/async-function/slow/?sleep_ms=150", cb.url()).status, 202);
  int64_t most = 0;
  p->wait_for(
      [&] {
        most = std::max(most, p->status("slow").at("inFlight").to_number<int64_t>());
        return cb.count() == 12;
      },
      std::chrono::seconds(30));
  EXPECT_EQ(cb.count(), 12u);
  EXPECT_GE(most, 1);
  EXPECT_LE(most, 2);
}

TEST(Async, NoAcceptedCallIsLostAcrossAKillOfThePlatform) {
  CallbackReceiver cb;
  // Two at a time, 20 ms each: 500 calls take seconds, so most are still queued at the kill.
  auto p = start_platform(hello_with_env("hello", "max_inflight", "2"), {"--async-ack-wait-ms", "1000"});
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, std::chrono::seconds(10)));
  std::set<std::string> ids;
  for (int i = 0; i < 500; ++i) {
    auto r = post_async(*p, "/async-function/hello/?sleep_ms=20", cb.url());
    ASSERT_EQ(r.status, 202);
    ids.insert(r.header("x-call-id"));
  }
  p->proc->signal(SIGKILL);
  p->proc->wait(std::chrono::seconds(10));
  const size_t before = cb.call_ids().size();
  EXPECT_LT(before, 500u) << "the kill came too late to test anything";
  // The private nats-server dies with its parent; wait until it is gone before a new one opens the store.
  auto nats_alive = [&] {
    // "[n]ats": the pattern matches the server's command line, not the shell running pgrep.
    return std::system(("pgrep -f '" + (p->state_dir / "[n]ats").string() + "' >/dev/null").c_str()) == 0;
  };
  ASSERT_TRUE(p->wait_for([&] { return !nats_alive(); }, std::chrono::seconds(10)));

  auto restarted = restart_platform(*p, {"--async-ack-wait-ms", "1000"});
  Platform& q = *restarted;
  ASSERT_TRUE(q.wait_for([&] { return cb.call_ids().size() >= 500; }, std::chrono::seconds(120)))
      << cb.call_ids().size() << " of 500 called back (" << before << " before the kill)\n"
      << q.proc->stderr_text();
  EXPECT_EQ(cb.call_ids(), ids);
  // At least once: a call whose ack was lost in the kill may have run twice, never more than a few.
  EXPECT_LE(cb.count(), 500u + 10u);
}

// The queue's nats-server dies (OOM killer, a stray kill -9) while calls are queued: the platform
// starts it again on the same store and port; calls accepted before and after are all delivered,
// and while it is down an async call gets 202 or 503 + Retry-After, never a dropped connection.
TEST(Async, NoAcceptedCallIsLostWhenTheQueueServerIsKilled) {
  CallbackReceiver cb;
  auto p = start_platform(hello_with_env("hello", "max_inflight", "2"), {"--async-ack-wait-ms", "1000"});
  ASSERT_TRUE(p->wait_for([&] { return p->ready("hello") == 1; }, std::chrono::seconds(10)));
  std::set<std::string> ids;
  for (int i = 0; i < 300; ++i) {
    auto r = post_async(*p, "/async-function/hello/?sleep_ms=20", cb.url());
    ASSERT_EQ(r.status, 202) << r.body;
    ids.insert(r.header("x-call-id"));
  }
  const auto pid_text = read_binary(p->state_dir / "nats" / "nats-server.pid");
  const pid_t nats = pid_t(std::stol(pid_text));
  ASSERT_GT(nats, 1);
  ASSERT_EQ(::kill(nats, SIGKILL), 0);
  const size_t before = cb.call_ids().size();
  EXPECT_LT(before, 300u) << "the kill came too late to test anything";

  // Until the restarted server is back: every answer is 202 or 503 with Retry-After.
  int refused = 0;
  auto restarted = [&] {
    return p->call("GET", "/metrics").body.find("mlfaas_helper_restarts_total{helper=\"nats-server\"} 1") != std::string::npos;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool back = false;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = post_async(*p, "/async-function/hello/", cb.url());
    if (r.status == 202) {
      ids.insert(r.header("x-call-id"));
    } else {
      ASSERT_EQ(r.status, 503) << r.body;
      EXPECT_FALSE(r.header("retry-after").empty());
      ++refused;
    }
    EXPECT_EQ(p->call("GET", "/function/hello/").status, 200);  // synchronous calls never needed the queue
    if ((back = restarted())) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(back) << p->proc->stderr_text();
  EXPECT_NE(p->proc->stderr_text().find("nats-server was killed by signal"), std::string::npos) << p->proc->stderr_text();
  ASSERT_TRUE(p->wait_for([&] { return p->call("GET", "/metrics").body.find("mlfaas_helper_up{helper=\"nats-server\"} 1") != std::string::npos; },
                          std::chrono::seconds(20)));
  for (int i = 0; i < 50; ++i) {
    auto r = post_async(*p, "/async-function/hello/", cb.url());
    ASSERT_EQ(r.status, 202) << r.body;
    ids.insert(r.header("x-call-id"));
  }
  ASSERT_TRUE(p->wait_for([&] { return cb.call_ids().size() >= ids.size(); }, std::chrono::seconds(120)))
      << cb.call_ids().size() << " of " << ids.size() << " called back (" << refused << " refused while it was down)\n"
      << p->proc->stderr_text();
  EXPECT_EQ(cb.call_ids(), ids);
}

TEST(Async, CliInvokeAsync) {
  CallbackReceiver cb;
  auto p = start_platform(hello_with_env("hello"));
  auto r = run_cli({"invoke", "hello", "--async", "--callback", cb.url(), "-d", "x", "--gateway", p->gateway()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("call id ([0-9a-f-]{36})"))) << r.out;
  ASSERT_TRUE(p->wait_for([&] { return cb.count() == 1; }, std::chrono::seconds(20)));
  EXPECT_EQ(cb.received().at(0).call_id, m[1].str());
  auto ls = run_cli({"queue", "ls", "--gateway", p->gateway()});
  EXPECT_EQ(ls.code, 0) << ls.err;
  EXPECT_NE(ls.out.find("hello"), std::string::npos) << ls.out;
}

TEST(Async, WithoutAQueueAsyncCallsAre503) {
  auto p = start_platform(hello_with_env("hello"), {"--nats", "none"});
  auto r = post_async(*p, "/async-function/hello/", "");
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(r.header("retry-after").empty());
  EXPECT_NE(r.body.find("async invocations are unavailable"), std::string::npos) << r.body;
  EXPECT_EQ(p->call("GET", "/function/hello/").status, 200);
}

}  // namespace
