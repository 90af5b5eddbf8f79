// The caller-gone signal: unit behaviour, and the server firing it when a client hangs up.
#include <gtest/gtest.h>

#include <atomic>

#include "http/cancellation.h"
#include "http/responses.h"
#include "support/http_call.h"
#include "test_util.h"

namespace mlfaas::http {
namespace {

using namespace test;
namespace support = mlfaas::test;

TEST(Cancellation, FiresSubscribersOnceAndSetsTheFlag) {
  auto c = std::make_shared<Cancellation>();
  int a = 0, b = 0;
  auto sa = Cancellation::on_cancel(c, [&] { ++a; });
  auto sb = Cancellation::on_cancel(c, [&] { ++b; });
  auto flag = c->flag();
  EXPECT_FALSE(flag->load());
  c->cancel();
  c->cancel();
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
  EXPECT_TRUE(flag->load());
  EXPECT_TRUE(c->cancelled());
}

TEST(Cancellation, AnEndedSubscriptionIsNotCalled) {
  auto c = std::make_shared<Cancellation>();
  int n = 0;
  {
    auto s = Cancellation::on_cancel(c, [&] { ++n; });
  }
  auto kept = Cancellation::on_cancel(c, [&] { ++n; });
  kept.reset();
  c->cancel();
  EXPECT_EQ(n, 0);
}

TEST(Cancellation, SubscribingAfterTheFactRunsAtOnce) {
  auto c = std::make_shared<Cancellation>();
  c->cancel();
  int n = 0;
  auto s = Cancellation::on_cancel(c, [&] { ++n; });
  EXPECT_EQ(n, 1);
}

TEST(Cancellation, ACallbackMayEndAnotherSubscription) {
  auto c = std::make_shared<Cancellation>();
  int second = 0;
  Cancellation::Subscription s2;
  auto s1 = Cancellation::on_cancel(c, [&] { s2.reset(); });
  s2 = Cancellation::on_cancel(c, [&] { ++second; });
  c->cancel();
  EXPECT_EQ(second, 0);
}

TEST(Cancellation, NullIsNeverCancelled) {
  int n = 0;
  auto s = Cancellation::on_cancel(nullptr, [&] { ++n; });
  EXPECT_EQ(n, 0);
}

// A handler that waits until its caller leaves (or 5 s), and records whether it saw it leave.
struct Waiting {
  std::atomic<int> started{0}, saw_cancel{0};
  Handler handler() {
    return [this](Request&, RequestContext& ctx) -> asio::awaitable<Response> {
      ++started;
      asio::steady_timer t(co_await asio::this_coro::executor, 5s);
      auto sub = Cancellation::on_cancel(ctx.cancellation, [&t] { t.cancel(); });
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ctx.cancellation->cancelled()) ++saw_cancel;
      co_return text_response(Status::ok, "done");
    };
  }
};

TEST(ServerCancellation, AClientThatHangsUpCancelsItsRequest) {
  Waiting w;
  ServerFixture f(w.handler());
  {
    BlockingConnection c(f.port());
    c.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
    while (w.started == 0) std::this_thread::sleep_for(1ms);
  }  // closed
  auto t0 = std::chrono::steady_clock::now();
  while (w.saw_cancel == 0 && seconds_since(t0) < 3) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(w.saw_cancel.load(), 1);
  EXPECT_LT(seconds_since(t0), 3);
}

TEST(ServerCancellation, APipelinedRequestIsNoCancellation) {
  std::atomic<int> cancelled{0};
  ServerFixture f([&](Request& req, RequestContext& ctx) -> asio::awaitable<Response> {
    if (req.target() == "/slow") {
      asio::steady_timer t(co_await asio::this_coro::executor, 100ms);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (ctx.cancellation->cancelled()) ++cancelled;
    co_return text_response(Status::ok, std::string(req.target()));
  });
  BlockingConnection c(f.port());
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(30ms);  // the second request arrives while the first is handled
  c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().body(), "/slow");
  EXPECT_EQ(c.read_response().body(), "/next");
  EXPECT_EQ(cancelled.load(), 0);
}

TEST(ServerConnectionCap, ConnectionsBeyondTheCapGet503AndAreClosed) {
  ServerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.max_connections = 2;
  ServerFixture f(ok_handler(), o);
  BlockingConnection b(f.port());
  {
    BlockingConnection a(f.port());
    EXPECT_EQ(a.roundtrip("GET", "/").result(), Status::ok);
    EXPECT_EQ(b.roundtrip("GET", "/").result(), Status::ok);
    auto r = support::http_call(f.port(), "GET", "/");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.header("retry-after"), "1");
    EXPECT_NE(r.body.find("too many connections"), std::string::npos);
  }
  // Room again once one leaves.
  auto t0 = std::chrono::steady_clock::now();
  while (f.server().connections() > 1 && seconds_since(t0) < 3) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(support::http_call(f.port(), "GET", "/").status, 200);
}

}  // namespace
}  // namespace mlfaas::http
