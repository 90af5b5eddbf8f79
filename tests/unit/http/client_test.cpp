// Client: pooling, stale keep-alive retry, and precise error kinds, against real loopback servers.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <mutex>
#include <set>

#include "http/client.h"
#include "http/responses.h"
#include "support/subprocess.h"
#include "test_util.h"

namespace mlfaas::http {
namespace {

using namespace test;
namespace beast = boost::beast;

Endpoint local(uint16_t port) { return {"127.0.0.1", port}; }

Request get(std::string target) {
  Request r{Verb::get, target, 11};
  return r;
}

// Counts distinct client connections (by remote port) and echoes the body.
struct CountingServer {
  std::mutex mu;
  std::set<uint16_t> ports;
  ServerFixture fixture;
  explicit CountingServer(ServerOptions o = {})
      : fixture(
            [this](Request& req, RequestContext& ctx) -> asio::awaitable<Response> {
              {
                std::lock_guard lk(mu);
                ports.insert(ctx.remote.port());
              }
              co_return text_response(req.target() == "/missing" ? Status::not_found : Status::ok, req.body());
            },
            o) {}
  size_t connections_seen() {
    std::lock_guard lk(mu);
    return ports.size();
  }
};

TEST(Client, ReusesOnePooledConnectionForSequentialRequests) {
  CountingServer srv;
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto results = run_until_done(ioc, [&]() -> asio::awaitable<std::vector<ClientResult>> {
    std::vector<ClientResult> out;
    for (int i = 0; i < 20; ++i) out.push_back(co_await client.request(local(srv.fixture.port()), get("/x"), 5s));
    co_return out;
  }());
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].message;
    EXPECT_EQ(results[i].response.result(), Status::ok);
    EXPECT_EQ(results[i].reused_connection, i > 0);
    EXPECT_FALSE(results[i].retried);
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(srv.connections_seen(), 1u);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(Client, ConcurrentRequestsOpenAtMostOneConnectionEach) {
  CountingServer srv;
  asio::io_context ioc;
  ClientOptions o;
  o.max_idle_per_endpoint = 4;
  Client client(ioc.get_executor(), o);
  std::atomic<int> ok{0};
  auto worker = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 25; ++i)
      if ((co_await client.request(local(srv.fixture.port()), get("/"), 5s)).ok()) ++ok;
  };
  std::atomic<int> done{0};
  for (int i = 0; i < 8; ++i)
    asio::co_spawn(ioc, worker(), [&](std::exception_ptr) { ++done; });
  // Two threads drive the client, so pool hand-offs cross threads.
  std::thread other([&] {
    while (done < 8) ioc.run_one_for(10ms);
  });
  while (done < 8) ioc.run_one_for(10ms);
  other.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_LE(client.connections_opened(), 8u);
  EXPECT_LE(client.idle_connections(), 4u);
  EXPECT_EQ(srv.connections_seen(), client.connections_opened());
}

// The load generator's mode: no per-connection strands, requests from the client's own executor
// run inline; the pool, timeouts and hops from other executors must behave the same.
TEST(Client, SingleThreadedMode) {
  CountingServer srv;
  RawServer silent([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    asio::steady_timer t(s.get_executor(), 5s);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  });
  asio::io_context ioc;
  ClientOptions o;
  o.single_threaded = true;
  Client client(ioc.get_executor(), o);
  auto strand = asio::make_strand(ioc);
  auto results = run_until_done(ioc, [&]() -> asio::awaitable<std::vector<ClientResult>> {
    std::vector<ClientResult> out;
    for (int i = 0; i < 10; ++i) out.push_back(co_await client.request(local(srv.fixture.port()), get("/"), 5s));
    // From another executor: hops onto the client's.
    out.push_back(co_await asio::co_spawn(strand, client.request(local(srv.fixture.port()), get("/"), 5s),
                                          asio::use_awaitable));
    out.push_back(co_await client.request(local(silent.port()), get("/"), 200ms));
    co_return out;
  }());
  for (int i = 0; i < 11; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].message;
    EXPECT_EQ(results[i].reused_connection, i > 0);
  }
  EXPECT_EQ(results[11].error, ErrorKind::timeout) << results[11].message;
  EXPECT_EQ(srv.connections_seen(), 1u);
}

TEST(Client, StaleKeepAliveIsRetriedOnceOnAFreshConnection) {
  ServerOptions o;
  o.idle_timeout = 100ms;  // the server drops our pooled connection
  CountingServer srv(o);
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto first = run_until_done(ioc, client.request(local(srv.fixture.port()), get("/1"), 5s));
  ASSERT_TRUE(first.ok()) << first.message;
  for (int i = 0; i < 100 && srv.fixture.server().connections() > 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(srv.fixture.server().connections(), 0u) << "server should have closed the idle connection";
  Request post{Verb::post, "/2", 11};
  post.body() = "payload";
  auto second = run_until_done(ioc, client.request(local(srv.fixture.port()), std::move(post), 5s));
  ASSERT_TRUE(second.ok()) << second.message;
  EXPECT_TRUE(second.retried);
  EXPECT_FALSE(second.reused_connection);  // the attempt that answered was fresh
  EXPECT_EQ(second.response.body(), "payload");
  EXPECT_EQ(client.connections_opened(), 2u);
}

// A server that answers keep-alive but then closes without saying so.
TEST(Client, StaleRetryWhenServerClosesSilentlyAfterResponse) {
  RawServer raw([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    if (co_await read_request(s, buf))
      co_await asio::async_write(s, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")),
                                 asio::as_tuple(asio::use_awaitable));
    asio::steady_timer t(s.get_executor(), 50ms);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    s.close();
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  EXPECT_TRUE(run_until_done(ioc, client.request(local(raw.port()), get("/"), 5s)).ok());
  std::this_thread::sleep_for(200ms);
  auto r = run_until_done(ioc, client.request(local(raw.port()), get("/"), 5s));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_TRUE(r.retried);
  EXPECT_EQ(r.response.body(), "hi");
  EXPECT_EQ(raw.accepted(), 2);
}

TEST(Client, ConnectionRefusedIsAConnectError) {
  uint16_t port = uint16_t(mlfaas::test::free_port());
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto r = run_until_done(ioc, client.request(local(port), get("/"), 5s));
  EXPECT_EQ(r.error, ErrorKind::connect);
  EXPECT_EQ(r.message, "connect to 127.0.0.1:" + std::to_string(port) + " failed: Connection refused");
  EXPECT_FALSE(r.retried);
}

TEST(Client, UnresolvableHostIsAConnectError) {
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto r = run_until_done(ioc, client.request({"no-such-host.invalid", 80}, get("/"), 5s));
  EXPECT_EQ(r.error, ErrorKind::connect);
  EXPECT_NE(r.message.find("cannot resolve host \"no-such-host.invalid\""), std::string::npos) << r.message;
}

TEST(Client, ServerThatNeverAnswersIsATimeout) {
  RawServer raw([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    asio::steady_timer t(s.get_executor(), 10s);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));  // holds the socket open, silent
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_until_done(ioc, client.request(local(raw.port()), get("/"), 300ms));
  double elapsed = seconds_since(t0);
  EXPECT_EQ(r.error, ErrorKind::timeout) << r.message;
  EXPECT_EQ(r.message, "no response from 127.0.0.1:" + std::to_string(raw.port()) + " within 300 ms");
  EXPECT_GE(elapsed, 0.29);
  EXPECT_LT(elapsed, 1.5);
  EXPECT_EQ(raw.accepted(), 1) << "timeouts are never retried";
}

TEST(Client, ConnectTimeoutIsAConnectError) {
  // A listener whose accept queue is full and never drained: further SYNs are dropped, so connect()
  // hangs until our connect timeout.
  asio::io_context sink;
  tcp::acceptor acc(sink, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  acc.listen(0);
  uint16_t port = acc.local_endpoint().port();
  std::vector<tcp::socket> fillers;
  for (int i = 0; i < 8; ++i) {
    // Raw non-blocking connect(): asio's synchronous connect would wait for the handshake.
    tcp::socket s(sink, tcp::v4());
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fcntl(s.native_handle(), F_SETFL, O_NONBLOCK);
    (void)::connect(s.native_handle(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(std::move(s));
  }
  std::this_thread::sleep_for(50ms);
  asio::io_context ioc;
  ClientOptions o;
  o.connect_timeout = 300ms;
  Client client(ioc.get_executor(), o);
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_until_done(ioc, client.request(local(port), get("/"), 5s));
  if (r.ok() || r.error == ErrorKind::read) GTEST_SKIP() << "kernel accepted the connection; cannot provoke a connect timeout here";
  EXPECT_EQ(r.error, ErrorKind::connect) << r.message;
  EXPECT_EQ(r.message, "connect to 127.0.0.1:" + std::to_string(port) + " timed out after 300 ms");
  EXPECT_LT(seconds_since(t0), 2.0);
}

TEST(Client, ServerClosingMidResponseIsAReadErrorAndNotRetried) {
  RawServer raw([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    if (co_await read_request(s, buf))
      co_await asio::async_write(s, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")),
                                 asio::as_tuple(asio::use_awaitable));
    s.close();
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto r = run_until_done(ioc, client.request(local(raw.port()), get("/"), 5s));
  EXPECT_EQ(r.error, ErrorKind::read);
  EXPECT_NE(r.message.find("closed before a complete response"), std::string::npos) << r.message;
  EXPECT_FALSE(r.retried);
  EXPECT_EQ(raw.accepted(), 1);
}

TEST(Client, ReusedConnectionFailingAfterResponseBytesIsNotRetried) {
  RawServer raw([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    if (!co_await read_request(s, buf)) co_return;
    co_await asio::async_write(s, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")),
                               asio::as_tuple(asio::use_awaitable));
    if (!co_await read_request(s, buf)) co_return;
    co_await asio::async_write(s, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Len")),
                               asio::as_tuple(asio::use_awaitable));
    s.close();
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  EXPECT_TRUE(run_until_done(ioc, client.request(local(raw.port()), get("/"), 5s)).ok());
  auto r = run_until_done(ioc, client.request(local(raw.port()), get("/"), 5s));
  EXPECT_EQ(r.error, ErrorKind::read) << r.message;
  EXPECT_TRUE(r.reused_connection);
  EXPECT_FALSE(r.retried);
  EXPECT_EQ(raw.accepted(), 1);
}

TEST(Client, MalformedResponseIsAReadError) {
  RawServer raw([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    if (co_await read_request(s, buf))
      co_await asio::async_write(s, asio::buffer(std::string("SMTP ready\r\n\r\n")), asio::as_tuple(asio::use_awaitable));
    s.close();
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto r = run_until_done(ioc, client.request(local(raw.port()), get("/"), 5s));
  EXPECT_EQ(r.error, ErrorKind::read);
  EXPECT_NE(r.message.find("malformed response"), std::string::npos) << r.message;
}

TEST(Client, ResetDuringWriteIsAWriteError) {
  // Once the request starts arriving, the server resets the connection; the rest of the large body
  // can't be written. (Resetting right at accept would race with the handshake and show up as a
  // connect error instead.)
  RawServer raw([](tcp::socket s) -> asio::awaitable<void> {
    char buf[1024];
    co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    s.set_option(asio::socket_base::linger(true, 0));  // close() sends RST
    s.close();
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  Request req{Verb::post, "/", 11};
  req.body() = std::string(32 << 20, 'w');
  auto r = run_until_done(ioc, client.request(local(raw.port()), std::move(req), 5s));
  EXPECT_EQ(r.error, ErrorKind::write) << r.message;
  EXPECT_NE(r.message.find("write to 127.0.0.1:"), std::string::npos) << r.message;
}

TEST(Client, EarlyResponseWinsOverWriteError) {
  // The server answers 413 right after the headers and stops reading; the client still gets the 413.
  ServerOptions o;
  o.max_body_bytes = 1024;
  ServerFixture srv(ok_handler(), o);
  asio::io_context ioc;
  Client client(ioc.get_executor());
  Request req{Verb::post, "/", 11};
  req.body() = std::string(8 << 20, 'w');
  auto r = run_until_done(ioc, client.request(local(srv.port()), std::move(req), 5s));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.response.result(), Status::payload_too_large);
}

TEST(Client, LargeBodiesBothWays) {
  ServerFixture srv([](Request& req, RequestContext&) -> asio::awaitable<Response> {
    std::string reversed(req.body().rbegin(), req.body().rend());
    co_return text_response(Status::ok, std::move(reversed), "application/octet-stream");
  });
  std::string payload(12 << 20, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = char((i * 131) >> 3);
  asio::io_context ioc;
  Client client(ioc.get_executor());
  for (int round = 0; round < 2; ++round) {
    Request req{Verb::put, "/reverse", 11};
    req.body() = payload;
    auto r = run_until_done(ioc, client.request(local(srv.port()), std::move(req), 10s));
    ASSERT_TRUE(r.ok()) << r.message;
    ASSERT_EQ(r.response.body().size(), payload.size());
    EXPECT_TRUE(std::equal(payload.rbegin(), payload.rend(), r.response.body().begin()));
    EXPECT_EQ(r.reused_connection, round == 1);
  }
}

TEST(Client, ResponseOverLimitIsAReadError) {
  ServerFixture srv([](Request&, RequestContext&) -> asio::awaitable<Response> {
    co_return text_response(Status::ok, std::string(5000, 'x'));
  });
  asio::io_context ioc;
  ClientOptions o;
  o.max_response_body_bytes = 1000;
  Client client(ioc.get_executor(), o);
  auto r = run_until_done(ioc, client.request(local(srv.port()), get("/"), 5s));
  EXPECT_EQ(r.error, ErrorKind::read);
  EXPECT_NE(r.message.find("larger than the limit of 1000 bytes"), std::string::npos) << r.message;
}

TEST(Client, Non2xxIsNotAnError) {
  CountingServer srv;
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto r = run_until_done(ioc, client.request(local(srv.fixture.port()), get("/missing"), 5s));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.response.result(), Status::not_found);
}

TEST(Client, HeadResponseHasNoBody) {
  ServerFixture srv([](Request&, RequestContext&) -> asio::awaitable<Response> {
    co_return text_response(Status::ok, "twelve bytes");
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto head = run_until_done(ioc, client.request(local(srv.port()), Request{Verb::head, "/", 11}, 5s));
  ASSERT_TRUE(head.ok()) << head.message;
  EXPECT_EQ(head.response[Field::content_length], "12");
  EXPECT_EQ(head.response.body(), "");
  auto after = run_until_done(ioc, client.request(local(srv.port()), get("/"), 5s));  // connection still in sync
  ASSERT_TRUE(after.ok()) << after.message;
  EXPECT_TRUE(after.reused_connection);
  EXPECT_EQ(after.response.body(), "twelve bytes");
}

TEST(Client, SkipsInterim100Continue) {
  RawServer raw([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    if (co_await read_request(s, buf))
      co_await asio::async_write(
          s, asio::buffer(std::string("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nk")),
          asio::as_tuple(asio::use_awaitable));
    asio::steady_timer t(s.get_executor(), 1s);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  auto r = run_until_done(ioc, client.request(local(raw.port()), get("/"), 5s));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.response.result(), Status::created);
  EXPECT_EQ(r.response.body(), "k");
}

TEST(Client, ConnectionCloseResponseIsNotPooled) {
  ServerFixture srv([](Request&, RequestContext&) -> asio::awaitable<Response> {
    auto r = text_response(Status::ok, "x");
    r.keep_alive(false);
    co_return r;
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  for (int i = 0; i < 3; ++i) {
    auto r = run_until_done(ioc, client.request(local(srv.port()), get("/"), 5s));
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_FALSE(r.reused_connection);
    EXPECT_FALSE(r.retried);
  }
  EXPECT_EQ(client.idle_connections(), 0u);
  EXPECT_EQ(client.connections_opened(), 3u);
}

TEST(Client, SetsHostHeader) {
  std::string host;
  ServerFixture srv([&](Request& req, RequestContext&) -> asio::awaitable<Response> {
    host = std::string(req[Field::host]);
    co_return text_response(Status::ok, "");
  });
  asio::io_context ioc;
  Client client(ioc.get_executor());
  ASSERT_TRUE(run_until_done(ioc, client.request(local(srv.port()), get("/"), 5s)).ok());
  EXPECT_EQ(host, "127.0.0.1:" + std::to_string(srv.port()));
}

}  // namespace
}  // namespace mlfaas::http
