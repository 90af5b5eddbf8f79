#include "platform/readiness_probe.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

namespace mlfaas::platform {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// One probe attempt, bounded by the probe timeout.
asio::awaitable<bool> attempt(int port, const ReadinessProbe& probe) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket sock(ex);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), uint16_t(port));
  auto [ec] = co_await sock.async_connect(ep, kTuple);
  if (ec) co_return false;
  if (probe.kind == ReadinessProbe::Kind::tcp) co_return true;
  std::string req = "GET " + probe.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nUser-Agent: mlfaas-probe\r\nConnection: close\r\n\r\n";
  auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(req), kTuple);
  if (wec) co_return false;
  asio::streambuf buf;
  auto [rec, rn] = co_await asio::async_read_until(sock, buf, "\r\n", kTuple);
  if (rec) co_return false;
  std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + std::ptrdiff_t(rn));
  // "HTTP/1.1 200 OK"
  auto sp = line.find(' ');
  if (sp == std::string::npos || sp + 4 > line.size()) co_return false;
  int code = std::atoi(line.c_str() + sp + 1);
  co_return code >= 200 && code < 400;
}

}  // namespace

asio::awaitable<bool> wait_until_ready(int port, ReadinessProbe probe,
                                       std::chrono::steady_clock::time_point deadline, std::function<bool()> alive) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  for (;;) {
    if (!alive()) co_return false;
    timer.expires_after(probe.timeout);
    auto result = co_await (attempt(port, probe) || timer.async_wait(kTuple));
    if (result.index() == 0 && std::get<0>(result)) co_return true;
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(std::chrono::milliseconds(2));
    co_await timer.async_wait(kTuple);
  }
}

}  // namespace mlfaas::platform
