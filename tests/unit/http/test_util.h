#pragma once
// Helpers for the HTTP tests: a Server on an ephemeral loopback port run by background threads, a
// scripted raw TCP server for client tests, a blocking keep-alive connection, and a way to run a
// coroutine to completion.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"

namespace mlfaas::http::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A Server on 127.0.0.1:<ephemeral>, its io_context run by `threads` background threads.
class ServerFixture {
 public:
  explicit ServerFixture(Handler handler, ServerOptions options = {}, int threads = 1);
  ~ServerFixture();
  uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }
  asio::io_context& ioc() { return ioc_; }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<Server> server_;
  std::vector<std::thread> threads_;
};

// A handler returning 200 "ok" (text) for everything.
Handler ok_handler();

// A TCP server on 127.0.0.1 whose connections run `script`, one coroutine each, on a background
// thread. Counts accepted connections.
class RawServer {
 public:
  using Script = std::function<asio::awaitable<void>(tcp::socket)>;
  explicit RawServer(Script script);
  ~RawServer();
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  asio::awaitable<void> accept_loop();
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  Script script_;
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Reads one HTTP request from `socket` (for RawServer scripts). Returns false on EOF/error.
asio::awaitable<bool> read_request(tcp::socket& socket, boost::beast::flat_buffer& buffer);

// A blocking client connection with a receive timeout, for keep-alive and protocol tests.
class BlockingConnection {
 public:
  explicit BlockingConnection(uint16_t port, std::chrono::milliseconds timeout = 5s);
  void send(const std::string& bytes);
  // Reads one response; throws on timeout, EOF or parse errors.
  Response read_response(bool head = false);
  Response roundtrip(const std::string& method, const std::string& target, const std::string& body = {});
  // True if the peer closes (EOF/reset) within `wait` without sending anything more.
  bool closed_by_peer(std::chrono::milliseconds wait);
  uint16_t local_port() const { return socket_.local_endpoint().port(); }

 private:
  template <class Start>
  boost::system::error_code run_for(std::chrono::milliseconds limit, Start start);
  asio::io_context ioc_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

// Runs `aw` on `ioc` (from this thread) until it completes; rethrows its exception.
template <class T>
T run_until_done(asio::io_context& ioc, asio::awaitable<T> aw) {
  std::optional<T> value;
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(ioc, std::move(aw), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) value = std::move(v);
    done = true;
  });
  ioc.restart();
  while (!done) ioc.run_one();
  if (error) std::rethrow_exception(error);
  return std::move(*value);
}

double seconds_since(std::chrono::steady_clock::time_point t);

}  // namespace mlfaas::http::test
