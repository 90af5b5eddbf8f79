#include "support/bench_target_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <stdexcept>
#include <vector>

#include "http/query.h"

namespace mlfaas::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

std::vector<long> numbers(const std::string& list) {
  std::vector<long> out;
  size_t pos = 0;
  while (pos < list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    out.push_back(std::stol(list.substr(pos, comma - pos)));
    pos = comma + 1;
  }
  return out;
}

long number_param(const http::Query& q, std::string_view name, long fallback) {
  auto v = q.get(name);
  return v ? std::stol(*v) : fallback;
}

}  // namespace

struct BenchTargetServer::Impl {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::atomic<uint64_t> requests{0}, connections{0};
  std::map<std::string, uint64_t> per_path;  // only touched on the io thread

  asio::awaitable<void> sleep_ms(long ms) {
    asio::steady_timer t(ioc, std::chrono::milliseconds(ms));
    co_await t.async_wait(nothrow);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(nothrow);
      if (ec) co_return;
      ++connections;
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }

  // Waits for the client to go away (EOF or error) without answering.
  asio::awaitable<void> wait_for_close(tcp::socket& s) {
    char byte;
    for (;;) {
      auto [ec, n] = co_await s.async_read_some(asio::buffer(&byte, 1), nothrow);
      if (ec) co_return;
    }
  }

  asio::awaitable<void> session(tcp::socket s) {
    beast::flat_buffer buf;
    for (;;) {
      // Headers first, so /reset_early can refuse the body.
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(uint64_t(1) << 30);
      auto [hec, hn] = co_await bhttp::async_read_header(s, buf, parser, nothrow);
      if (hec) co_return;
      if (parser.get().target().starts_with("/reset_early")) {
        ++requests;
        boost::system::error_code ignored;
        s.set_option(asio::socket_base::linger(true, 0), ignored);  // close with RST while the client still sends
        co_return;
      }
      auto [ec, n] = co_await bhttp::async_read(s, buf, parser, nothrow);
      if (ec) co_return;
      bhttp::request<bhttp::string_body> req = parser.release();
      ++requests;
      http::Query q;
      try {
        q = http::parse_query(std::string_view(req.target().data(), req.target().size()));
      } catch (...) {
        q.path = "/";
      }
      const uint64_t count = ++per_path[q.path];  // 1-based, per path

      if (q.path == "/drop") co_return;  // the socket closes as the coroutine ends
      if (q.path == "/hang") {
        co_await wait_for_close(s);
        co_return;
      }
      if (q.path == "/partial") {
        std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
        co_await asio::async_write(s, asio::buffer(head), nothrow);
        co_return;
      }

      bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
      res.set(bhttp::field::content_type, "text/plain");
      res.body() = "ok";
      long delay = number_param(q, "delay_ms", 0);
      if (auto s = q.get("status")) res.result(unsigned(std::stoul(*s)));
      if (auto b = q.get("body_bytes")) res.body().assign(std::stoul(*b), 'x');
      if (q.path == "/dist") {
        auto ms = numbers(q.get("ms").value_or("0"));
        delay = ms[(count - 1) % ms.size()];
      } else if (q.path == "/cycle") {
        auto st = numbers(q.get("statuses").value_or("200"));
        res.result(unsigned(st[(count - 1) % st.size()]));
      } else if (q.path == "/stall_once") {
        if (count == uint64_t(number_param(q, "after", 1))) delay = number_param(q, "ms", 1000);
      } else if (q.path.starts_with("/system/function/")) {
        std::string name = q.path.substr(std::string_view("/system/function/").size());
        res.set(bhttp::field::content_type, "application/json");
        if (name == "missing") {
          res.result(bhttp::status::not_found);
          res.body() = "{\"error\":\"no such function\"}";
        } else {
          res.body() = fmt::format(R"({{"name":"{}","replicas":2,"availableReplicas":1,"queueDepth":3}})", name);
        }
      }
      if (delay > 0) co_await sleep_ms(delay);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();

      if (q.path == "/slow") {
        // Headers and the first body byte now, the rest later.
        bhttp::response_serializer<bhttp::string_body> sr(res);
        auto [hec, hn] = co_await bhttp::async_write_header(s, sr, nothrow);
        if (hec) co_return;
        const std::string& body = res.body();
        co_await asio::async_write(s, asio::buffer(body.data(), 1), nothrow);
        co_await sleep_ms(number_param(q, "ms", 100));
        auto [bec, bn] = co_await asio::async_write(s, asio::buffer(body.data() + 1, body.size() - 1), nothrow);
        if (bec) co_return;
      } else {
        auto [wec, wn] = co_await bhttp::async_write(s, res, nothrow);
        if (wec) co_return;
      }
      if (!res.keep_alive()) co_return;
    }
  }
};

BenchTargetServer::BenchTargetServer(uint16_t port) : impl_(std::make_unique<Impl>()) {
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen(1024);
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
}

BenchTargetServer::~BenchTargetServer() { stop(); }

uint16_t BenchTargetServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string BenchTargetServer::url(std::string_view target) const {
  return fmt::format("http://127.0.0.1:{}{}", port(), target);
}

uint64_t BenchTargetServer::requests() const { return impl_->requests.load(); }
uint64_t BenchTargetServer::connections() const { return impl_->connections.load(); }

void BenchTargetServer::run() { impl_->ioc.run(); }

void BenchTargetServer::start() {
  thread_ = std::thread([this] { impl_->ioc.run(); });
}

void BenchTargetServer::stop() {
  impl_->ioc.stop();
  if (thread_.joinable()) thread_.join();
}

RefusingPort::RefusingPort() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("cannot reserve a loopback port");
  port_ = ntohs(addr.sin_port);
}

RefusingPort::~RefusingPort() {
  if (fd_ >= 0) ::close(fd_);
}

std::string RefusingPort::url(std::string_view target) const {
  return fmt::format("http://127.0.0.1:{}{}", port_, target);
}

}  // namespace mlfaas::test
