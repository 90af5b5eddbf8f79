// Graceful shutdown: stop_accepting() + begin_drain() let in-flight requests finish while idle
// keep-alive connections are closed and new connections are refused.
#include <gtest/gtest.h>

#include "http/responses.h"
#include "support/http_call.h"
#include "test_util.h"

namespace mlfaas::http {
namespace {

using namespace test;

bool can_connect(uint16_t port) {
  asio::io_context ioc;
  tcp::socket s(ioc);
  boost::system::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

// /slow takes 600 ms; `slow_started` counts /slow requests that reached the handler.
Handler slow_on_demand(std::atomic<int>* slow_started = nullptr) {
  return [slow_started](Request& req, RequestContext&) -> asio::awaitable<Response> {
    if (req.target() == "/slow") {
      if (slow_started) ++*slow_started;
      asio::steady_timer t(co_await asio::this_coro::executor, 600ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    co_return text_response(Status::ok, std::string(req.target()));
  };
}

void drain_scenario(int io_threads) {
  std::atomic<int> slow_started{0};
  ServerFixture f(slow_on_demand(&slow_started), {}, io_threads);
  // An idle keep-alive connection.
  auto idle = std::make_unique<BlockingConnection>(f.port());
  ASSERT_EQ(idle->roundtrip("GET", "/warmup").result(), Status::ok);
  // A keep-alive connection with a request in flight.
  auto busy = std::make_unique<BlockingConnection>(f.port());
  busy->send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  // (in_flight alone would be ambiguous: the warm-up request is counted until its write completes.)
  for (int i = 0; i < 2000 && slow_started == 0; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(slow_started.load(), 1);
  for (int i = 0; i < 200 && f.server().in_flight() > 1; ++i) std::this_thread::sleep_for(1ms);  // warm-up write
  EXPECT_EQ(f.server().in_flight(), 1u);
  EXPECT_EQ(f.server().connections(), 2u);

  f.server().stop_accepting();
  f.server().begin_drain();

  EXPECT_FALSE(can_connect(f.port())) << "new connections must be refused once the listener is closed";
  EXPECT_TRUE(idle->closed_by_peer(2s)) << "idle keep-alive connection must be closed by the drain";

  auto res = busy->read_response();  // the in-flight request still completes...
  EXPECT_EQ(res.result(), Status::ok);
  EXPECT_EQ(res.body(), "/slow");
  EXPECT_FALSE(res.keep_alive());  // ...with Connection: close
  EXPECT_TRUE(busy->closed_by_peer(2s));
  // Like real clients, close our ends once the server said goodbye (the server lingers until then).
  idle.reset();
  busy.reset();
  for (int i = 0; i < 200 && f.server().connections() > 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(f.server().connections(), 0u);
  EXPECT_EQ(f.server().in_flight(), 0u);
}

TEST(ServerDrain, InFlightCompletesIdleClosedNewRefused) { drain_scenario(1); }
TEST(ServerDrain, SameOnTwoIoThreads) { drain_scenario(2); }

TEST(ServerDrain, RequestArrivingOnKeepAliveDuringDrainIsAnsweredWithClose) {
  ServerFixture f(slow_on_demand());
  BlockingConnection c(f.port());
  // The request is sent, and the drain begins while the handler runs.
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 2000 && f.server().in_flight() == 0; ++i) std::this_thread::sleep_for(1ms);
  f.server().begin_drain();
  auto first = c.read_response();
  EXPECT_EQ(first.body(), "/slow");
  EXPECT_FALSE(first.keep_alive());
  EXPECT_TRUE(c.closed_by_peer(2s));  // the pipelined second request is not served after close
}

TEST(ServerDrain, CloseConnectionsCutsEverythingNow) {
  ServerFixture f(slow_on_demand());
  BlockingConnection busy(f.port());
  busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 2000 && f.server().in_flight() == 0; ++i) std::this_thread::sleep_for(1ms);
  f.server().close_connections();
  EXPECT_TRUE(busy.closed_by_peer(2s));
}

}  // namespace
}  // namespace mlfaas::http
