// Server protocol behaviour over real loopback sockets.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <mutex>
#include <set>
#include <sys/wait.h>

#include "http/async_result.h"
#include "http/responses.h"
#include "support/http_call.h"
#include "support/paths.h"
#include "test_util.h"

namespace mlfaas::http {
namespace {

using namespace test;
namespace support = mlfaas::test;

// Echoes method, target, body size and a per-request counter.
Handler echo_handler(std::atomic<int>* count = nullptr) {
  return [count](Request& req, RequestContext&) -> asio::awaitable<Response> {
    int n = count ? ++*count : 0;
    boost::json::object o{{"method", std::string(req.method_string())},
                          {"target", std::string(req.target())},
                          {"body_bytes", req.body().size()},
                          {"n", n}};
    co_return json_response(Status::ok, boost::json::serialize(o));
  };
}

TEST(Server, ManyRequestsOnOneKeepAliveConnection) {
  std::mutex mu;
  std::set<uint16_t> remote_ports;
  ServerFixture f([&](Request& req, RequestContext& ctx) -> asio::awaitable<Response> {
    {
      std::lock_guard lk(mu);
      remote_ports.insert(ctx.remote.port());
    }
    co_return text_response(Status::ok, std::string(req.target()));
  });
  BlockingConnection c(f.port());
  for (int i = 0; i < 200; ++i) {
    auto res = c.roundtrip(i % 2 ? "POST" : "GET", "/r" + std::to_string(i), i % 2 ? "payload" : "");
    ASSERT_EQ(res.result(), Status::ok);
    ASSERT_EQ(res.body(), "/r" + std::to_string(i));
    ASSERT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(f.server().connections(), 1u);
  std::lock_guard lk(mu);
  EXPECT_EQ(remote_ports, std::set<uint16_t>{c.local_port()});
}

TEST(Server, SetsServerDateAndContentLength) {
  ServerFixture f(ok_handler());
  auto r = support::http_call(f.port(), "GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("server"), "mlfaas");
  EXPECT_EQ(r.header("content-length"), "2");
  EXPECT_TRUE(r.header("date").ends_with(" GMT")) << r.header("date");
}

TEST(Server, Http10ClosesAfterTheResponse) {
  ServerFixture f(ok_handler());
  auto t0 = std::chrono::steady_clock::now();
  std::string out = support::raw_exchange(f.port(), "GET / HTTP/1.0\r\n\r\n", std::chrono::seconds(5));
  EXPECT_LT(seconds_since(t0), 2.0) << "the server must close, not wait for the client";
  EXPECT_EQ(out.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\nok")) << out;
  EXPECT_EQ(out.find("Connection: keep-alive"), std::string::npos);
}

TEST(Server, Http10KeepAliveWhenAsked) {
  ServerFixture f(ok_handler());
  BlockingConnection c(f.port());
  for (int i = 0; i < 3; ++i) {
    c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    auto res = c.read_response();
    EXPECT_EQ(res.version(), 10u);
    EXPECT_EQ(res[Field::connection], "keep-alive");
    EXPECT_EQ(res.body(), "ok");
  }
}

TEST(Server, ClientConnectionCloseIsHonoured) {
  ServerFixture f(ok_handler());
  BlockingConnection c(f.port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto res = c.read_response();
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  ServerFixture f(echo_handler());
  BlockingConnection c(f.port());
  c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nPOST /c HTTP/1.1\r\nHost: x\r\n"
         "Content-Length: 3\r\n\r\nxyz");
  for (const char* t : {"/a", "/b", "/c"}) {
    auto res = c.read_response();
    EXPECT_EQ(boost::json::parse(res.body()).at("target").as_string(), t);
  }
}

TEST(Server, HeadHasContentLengthButNoBody) {
  ServerFixture f([](Request&, RequestContext&) -> asio::awaitable<Response> {
    co_return text_response(Status::ok, "hello world");
  });
  std::string out = support::raw_exchange(f.port(), "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("Content-Length: 11\r\n"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\n")) << out;
}

TEST(Server, ServerOwnsFramingHeaders) {
  ServerFixture f([](Request&, RequestContext&) -> asio::awaitable<Response> {
    auto r = text_response(Status::ok, "12345");
    r.set(Field::content_length, "999");          // wrong: replaced by the real length
    r.set(Field::transfer_encoding, "chunked");   // dropped: the body is sent with a length
    r.set(Field::connection, "keep-alive, Upgrade");
    r.set(Field::server, "custom");               // handler-set Server and Date are kept
    r.set("X-Extra", "yes");
    co_return r;
  });
  std::string out = support::raw_exchange(f.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("999"), std::string::npos) << out;
  EXPECT_EQ(out.find("chunked"), std::string::npos) << out;
  EXPECT_EQ(out.find("Upgrade"), std::string::npos) << out;
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Server: custom\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("Server: mlfaas"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Extra: yes\r\n"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\n12345")) << out;
}

TEST(Server, NoContentHasNeitherBodyNorLength) {
  ServerFixture f([](Request&, RequestContext&) -> asio::awaitable<Response> {
    Response r{Status::no_content, 11};
    r.body() = "ignored";
    co_return r;
  });
  BlockingConnection c(f.port());
  for (int i = 0; i < 2; ++i) {  // the connection stays in sync afterwards
    auto res = c.roundtrip("DELETE", "/thing");
    EXPECT_EQ(res.result(), Status::no_content);
    EXPECT_EQ(res.find(Field::content_length), res.end());
    EXPECT_EQ(res.body(), "");
  }
}

TEST(Server, HeadKeepsHandlerContentLengthForEmptyBody) {
  ServerFixture f([](Request&, RequestContext&) -> asio::awaitable<Response> {
    Response r{Status::ok, 11};
    r.set(Field::content_length, "4096");  // e.g. the size of a file it did not read for HEAD
    co_return r;
  });
  BlockingConnection c(f.port());
  auto res = c.roundtrip("HEAD", "/file");
  EXPECT_EQ(res[Field::content_length], "4096");
  EXPECT_EQ(c.roundtrip("HEAD", "/file").result(), Status::ok);  // no stray body bytes in between
}

// curl sends "Expect: 100-continue" for bodies over 1 KiB and waits a second for the 100 unless the
// server sends it: a 2 MB upload must finish well under that second.
TEST(Server, CurlLargeUploadGets100ContinueWithoutStalling) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl not installed";
  ServerFixture f(echo_handler());
  auto dir = support::make_temp_dir("curl");
  std::string payload(2 << 20, 'x');
  for (size_t i = 0; i < payload.size(); i += 4093) payload[i] = char(i);
  support::write_binary(dir / "body.bin", payload);
  std::string cmd = "curl -sS -v --max-time 10 -o '" + (dir / "out.json").string() + "' --data-binary @'" +
                    (dir / "body.bin").string() + "' http://127.0.0.1:" + std::to_string(f.port()) + "/upload 2>&1";
  auto t0 = std::chrono::steady_clock::now();
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string log;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) log.append(buf, n);
  int st = pclose(p);
  double elapsed = seconds_since(t0);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << log;
  EXPECT_NE(log.find("Expect: 100-continue"), std::string::npos) << log;
  EXPECT_NE(log.find("HTTP/1.1 100 Continue"), std::string::npos) << log;
  EXPECT_LT(elapsed, 0.9) << log;
  auto out = boost::json::parse(support::read_binary(dir / "out.json"));
  EXPECT_EQ(out.at("body_bytes").as_int64(), int64_t(payload.size()));
}

TEST(Server, OversizeBodyGets413JsonAndClose) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  ServerFixture f(echo_handler(), o);
  auto r = support::http_call(f.port(), "POST", "/upload", std::string(5000, 'a'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.json().at("error").as_string(), "request body is larger than the limit of 1000 bytes");
  // Exactly at the limit is fine.
  EXPECT_EQ(support::http_call(f.port(), "POST", "/upload", std::string(1000, 'a')).status, 200);
}

TEST(Server, OversizeBodyWithExpectGets413InsteadOf100) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  ServerFixture f(echo_handler(), o);
  BlockingConnection c(f.port());
  c.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  auto res = c.read_response();  // the body was never sent: the server must answer without it
  EXPECT_EQ(res.result(), Status::payload_too_large);
  EXPECT_FALSE(res.keep_alive());
}

TEST(Server, OversizeChunkedBodyGets413) {
  ServerOptions o;
  o.max_body_bytes = 10;
  ServerFixture f(echo_handler(), o);
  std::string out = support::raw_exchange(
      f.port(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out;
}

// The default 16 MB limit with a 17 MB body sent in full by a client that doesn't use Expect: the
// server must keep reading (and discarding) after its 413 so the client sees the response, not a reset.
TEST(Server, OversizeDefaultLimitResponseSurvivesUnreadBody) {
  ServerFixture f(echo_handler());
  auto r = support::http_call(f.port(), "PUT", "/big", std::string(17 << 20, 'z'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json().at("error").as_string(), "request body is larger than the limit of 16777216 bytes");
}

// 80 MB: more than a bounded drain of a few tens of MB would swallow (what Python's http.client
// sends without Expect); the client must still read the 413.
TEST(Server, EightyMegabytesWithoutExpectStillRead413) {
  ServerFixture f(echo_handler());
  auto r = support::http_call(f.port(), "POST", "/big", std::string(80 << 20, 'z'));
  EXPECT_EQ(r.status, 413);
}

TEST(Server, UnknownTransferEncodingGets501AndClose) {
  ServerFixture f(echo_handler());
  // Ignored, "xchunked" would let the body be parsed as a second request (request smuggling).
  std::string out = support::raw_exchange(
      f.port(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 501", 0), 0u) << out;
  EXPECT_EQ(out.find("/smuggled"), std::string::npos) << out;
  EXPECT_EQ(out.find("HTTP/1.1 200"), std::string::npos) << out;
  std::string gz = support::raw_exchange(
      f.port(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(gz.rfind("HTTP/1.1 501", 0), 0u) << gz;
}

TEST(Server, TransferEncodingWithContentLengthGets400) {
  ServerFixture f(echo_handler());
  std::string out = support::raw_exchange(
      f.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
}

TEST(Server, Http11WithoutHostGets400ButHttp10IsFine) {
  ServerFixture f(echo_handler());
  std::string out = support::raw_exchange(f.port(), "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("Host"), std::string::npos) << out;
  std::string ten = support::raw_exchange(f.port(), "GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(ten.rfind("HTTP/1.0 200", 0), 0u) << ten;
}

TEST(Server, ChunkedBodyWithinLimitIsDelivered) {
  ServerFixture f(echo_handler());
  std::string out = support::raw_exchange(
      f.port(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                "4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n");
  EXPECT_NE(out.find("\"body_bytes\":7"), std::string::npos) << out;
}

TEST(Server, GarbageRequestLineGets400JsonAndClose) {
  ServerFixture f(ok_handler());
  auto t0 = std::chrono::steady_clock::now();
  std::string out = support::raw_exchange(f.port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_LT(seconds_since(t0), 4.0);
  EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos) << out;
  auto body = out.substr(out.find("\r\n\r\n") + 4);
  auto msg = std::string(boost::json::parse(body).at("error").as_string());
  EXPECT_EQ(msg.rfind("malformed request: ", 0), 0u) << msg;
}

TEST(Server, OversizeHeadersGet431) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  ServerFixture f(ok_handler(), o);
  std::string out =
      support::raw_exchange(f.port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'b') + "\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out.substr(0, 200);
  EXPECT_NE(out.find("request headers are larger than the limit of 1024 bytes"), std::string::npos);
}

TEST(Server, HandlerExceptionGives500AndTheConnectionKeepsWorking) {
  ServerFixture f([](Request& req, RequestContext&) -> asio::awaitable<Response> {
    if (req.target() == "/throw") throw std::runtime_error("model exploded");
    co_return text_response(Status::ok, "fine");
  });
  BlockingConnection c(f.port());
  auto bad = c.roundtrip("GET", "/throw");
  EXPECT_EQ(bad.result(), Status::internal_server_error);
  EXPECT_EQ(bad.body(), R"({"error":"internal error"})");
  EXPECT_TRUE(bad.keep_alive());
  auto good = c.roundtrip("GET", "/ok");
  EXPECT_EQ(good.result(), Status::ok);
  EXPECT_EQ(good.body(), "fine");
  EXPECT_EQ(f.server().connections(), 1u);
}

TEST(Server, HandlerMayForceConnectionClose) {
  ServerFixture f([](Request&, RequestContext&) -> asio::awaitable<Response> {
    auto r = text_response(Status::ok, "bye");
    r.keep_alive(false);
    co_return r;
  });
  BlockingConnection c(f.port());
  auto res = c.roundtrip("GET", "/");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST(Server, SlowHandlerDoesNotBlockOtherConnections) {
  ServerFixture f([](Request& req, RequestContext&) -> asio::awaitable<Response> {
    if (req.target() == "/slow") {
      asio::steady_timer t(co_await asio::this_coro::executor, 1500ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    co_return text_response(Status::ok, std::string(req.target()));
  });  // a single io thread
  std::atomic<bool> slow_done{false};
  std::thread slow([&] {
    EXPECT_EQ(support::http_call(f.port(), "GET", "/slow").body, "/slow");
    slow_done = true;
  });
  while (f.server().in_flight() == 0) std::this_thread::sleep_for(1ms);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(support::http_call(f.port(), "GET", "/fast").body, "/fast");
  EXPECT_LT(seconds_since(t0), 0.7);
  EXPECT_FALSE(slow_done.load());
  slow.join();
}

TEST(Server, HandlerAwaitsWorkFromAnotherThread) {
  ServerFixture f(
      [](Request& req, RequestContext&) -> asio::awaitable<Response> {
        std::string body = req.body();
        // Named, not inline in the co_await: it captures a std::string by value (g++ 12 bug).
        auto uppercase_on_a_thread = [body](Completion<std::string> done) {
          std::thread([body, done] {
            std::string s = body;
            for (auto& ch : s) ch = char(std::toupper(ch));
            done(s);
          }).detach();
        };
        auto upper = co_await await_completion<std::string>(uppercase_on_a_thread);
        co_return text_response(Status::ok, upper);
      },
      {}, 2);
  BlockingConnection c(f.port());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c.roundtrip("POST", "/", "abc" + std::to_string(i)).body(), "ABC" + std::to_string(i));
}

TEST(Server, TwoIoThreadsManyConnections) {
  std::atomic<int> count{0};
  ServerFixture f(echo_handler(&count), {}, 2);
  constexpr int kClients = 8, kRequests = 100;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&] {
      BlockingConnection c(f.port());
      for (int r = 0; r < kRequests; ++r)
        if (c.roundtrip("POST", "/x", std::string(r * 100, 'q')).result() == Status::ok) ++ok;
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_EQ(count.load(), kClients * kRequests);
  // A request stays in flight until the server's write completes, which can trail the client's read.
  for (int i = 0; i < 200 && f.server().in_flight() > 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(f.server().in_flight(), 0u);
}

TEST(Server, SlowlorisIsClosedAfterHeaderTimeout) {
  ServerOptions o;
  o.header_timeout = 300ms;
  ServerFixture f(ok_handler(), o);
  BlockingConnection c(f.port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n");  // never finishes the headers
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_GT(seconds_since(t0), 0.2);
}

TEST(Server, SlowBodyIsClosedAfterBodyTimeout) {
  ServerOptions o;
  o.body_timeout = 300ms;
  ServerFixture f(ok_handler(), o);
  BlockingConnection c(f.port());
  c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a bit");
  EXPECT_TRUE(c.closed_by_peer(3s));
}

TEST(Server, IdleKeepAliveIsClosedAfterIdleTimeout) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  ServerFixture f(ok_handler(), o);
  BlockingConnection c(f.port());
  EXPECT_EQ(c.roundtrip("GET", "/").result(), Status::ok);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_GT(seconds_since(t0), 0.2);
  for (int i = 0; i < 100 && f.server().connections() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(f.server().connections(), 0u);
}

TEST(Server, ContextHasRemoteAndReceivedTime) {
  std::chrono::steady_clock::time_point received;
  std::string remote;
  ServerFixture f([&](Request&, RequestContext& ctx) -> asio::awaitable<Response> {
    received = ctx.received;
    remote = ctx.remote.address().to_string();
    co_return text_response(Status::ok, "");
  });
  auto before = std::chrono::steady_clock::now();
  support::http_call(f.port(), "GET", "/");
  EXPECT_EQ(remote, "127.0.0.1");
  EXPECT_GE(received, before);
  EXPECT_LE(received, std::chrono::steady_clock::now());
}

TEST(Server, PortInUseIsAClearError) {
  ServerFixture first(ok_handler());
  asio::io_context ioc;
  ServerOptions o;
  o.address = "127.0.0.1";
  o.port = first.port();
  Server second(ioc, o, ok_handler());
  try {
    second.start();
    FAIL() << "expected start() to throw";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot listen on 127.0.0.1:" + std::to_string(o.port) + ": port " +
                                         std::to_string(o.port) + " already in use");
  }
}

TEST(Server, InvalidAddressIsAClearError) {
  asio::io_context ioc;
  ServerOptions o;
  o.address = "not-an-ip";
  Server s(ioc, o, ok_handler());
  EXPECT_THROW(s.start(), std::runtime_error);
}

}  // namespace
}  // namespace mlfaas::http
