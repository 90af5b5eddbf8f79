#include "http/server.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <fmt/format.h>

#include <sys/resource.h>

#include <boost/asio/write.hpp>
#include <stdexcept>

#include "common/log.h"
#include "http/server_connection.h"

namespace mlfaas::http {
namespace detail {

namespace asio = boost::asio;
using boost::system::error_code;
using asio::ip::tcp;

// The listening socket and its accept loop. Accept completions run on any io_context thread, and
// stop_accepting() may be called from any thread, so every use of the acceptor holds mu_.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, std::shared_ptr<ServerShared> shared)
      : ioc_(ioc), shared_(std::move(shared)), acceptor_(ioc), backoff_(ioc) {}

  // Binds and listens; returns the bound port. Throws std::runtime_error with a readable reason.
  uint16_t open(const std::string& address, uint16_t port) {
    error_code ec;
    auto ip = asio::ip::make_address(address, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot listen on {}:{}: invalid address", address, port));
    tcp::endpoint ep(ip, port);
    auto fail = [&](const char* step) {
      std::string why = ec == asio::error::address_in_use      ? fmt::format("port {} already in use", port)
                        : ec == asio::error::access_denied      ? fmt::format("permission denied for port {}", port)
                        : ec == boost::system::errc::address_not_available ? "address not available on this host"
                                                                    : fmt::format("{} failed: {}", step, ec.message());
      return std::runtime_error(fmt::format("cannot listen on {}:{}: {}", address, port, why));
    };
    std::lock_guard lk(mu_);
    if (acceptor_.open(ep.protocol(), ec); ec) throw fail("socket");
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);  // restart without waiting out TIME_WAIT
    if (acceptor_.bind(ep, ec); ec) throw fail("bind");
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) throw fail("listen");
    return acceptor_.local_endpoint().port();
  }

  void accept_next() {
    std::lock_guard lk(mu_);
    if (closed_) return;
    // Each connection gets its own strand: its coroutine, timer and drain/close requests are then
    // serialized without locks even when several threads run the io_context.
    acceptor_.async_accept(asio::make_strand(ioc_), [self = shared_from_this()](error_code ec, auto socket) {
      self->on_accept(ec, tcp::socket(std::move(socket)));
    });
  }

  void close() {
    std::lock_guard lk(mu_);
    closed_ = true;
    error_code ec;
    acceptor_.close(ec);
    backoff_.cancel();
  }

 private:
  void on_accept(error_code ec, tcp::socket socket) {
    if (!ec && shared_->connections.load(std::memory_order_relaxed) >= max_connections()) {
      refuse(socket);
      accept_next();
      return;
    }
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);  // responses are written whole; don't let Nagle hold the tail
      ServerConnection::start(shared_, std::move(socket));
      accept_next();
      return;
    }
    std::lock_guard lk(mu_);
    if (closed_ || ec == asio::error::operation_aborted) return;
    // Out of file descriptors (or similar): retrying at once would spin, so back off briefly.
    log::warn("http accept failed: {}; retrying in 100 ms", ec.message());
    backoff_.expires_after(std::chrono::milliseconds(100));
    backoff_.async_wait([self = shared_from_this()](error_code e) {
      if (!e) self->accept_next();
    });
  }

  size_t max_connections() const {
    if (shared_->options.max_connections) return shared_->options.max_connections;
    static const size_t half_fd_limit = [] {
      rlimit rl{};
      if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return size_t(1) << 20;
      return std::max<size_t>(16, size_t(rl.rlim_cur) / 2);
    }();
    return half_fd_limit;
  }

  // Over the connection limit: a short 503 written straight into the fresh socket's empty send
  // buffer (it cannot block), then close.
  static void refuse(tcp::socket& socket) {
    static constexpr std::string_view k503 =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
        "Connection: close\r\nContent-Length: 45\r\n\r\n{\"error\":\"too many connections; retry later\"}";
    error_code ec;
    asio::write(socket, asio::buffer(k503), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
  }

  asio::io_context& ioc_;
  std::shared_ptr<ServerShared> shared_;
  std::mutex mu_;
  tcp::acceptor acceptor_;
  asio::steady_timer backoff_;
  bool closed_ = false;
};

}  // namespace detail

Server::Server(boost::asio::io_context& ioc, ServerOptions options, Handler handler)
    : ioc_(ioc), shared_(std::make_shared<detail::ServerShared>(std::move(options), std::move(handler))) {}

Server::~Server() {
  stop_accepting();
  close_connections();
}

void Server::start() {
  if (listener_) throw std::logic_error("Server::start() called twice");
  auto listener = std::make_shared<detail::Listener>(ioc_, shared_);
  port_ = listener->open(shared_->options.address, shared_->options.port);
  listener_ = std::move(listener);
  listener_->accept_next();
}

void Server::stop_accepting() {
  if (listener_) listener_->close();
}

void Server::begin_drain() {
  shared_->draining.store(true);
  shared_->for_each_connection([](detail::ServerConnection& c) { c.on_drain(); });
}

void Server::close_connections() {
  shared_->for_each_connection([](detail::ServerConnection& c) { c.close_now(); });
}

size_t Server::in_flight() const { return shared_->in_flight.load(std::memory_order_relaxed); }
size_t Server::connections() const { return shared_->connections.load(std::memory_order_relaxed); }

}  // namespace mlfaas::http
