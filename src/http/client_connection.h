#pragma once
// Internal to mlfaas_http: one upstream connection of a Client. All of its I/O and its watchdog
// run on its own strand; Client moves it between requests and the idle pool.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>

#include "http/client.h"
#include "http/watchdog.h"

namespace mlfaas::http::detail {

class ClientConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // One request/response on this connection.
  struct Attempt {
    ErrorKind error = ErrorKind::none;
    std::string message;
    bool nothing_received = true;  // no response byte arrived: safe to re-send if the connection was stale
    bool connected_now = false;    // this attempt opened the connection
  };

  ClientConnection(const boost::asio::any_io_executor& client_executor, const ClientOptions& options);

  // The executor exchange() must run on: a strand of its own, or the client's executor itself in
  // single-threaded mode.
  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Connects first if needed, writes `req`, reads into `res`. Must run on executor().
  // `timeout` is only used in messages; `deadline` is what counts.
  boost::asio::awaitable<Attempt> exchange(const Endpoint& endpoint, const Request& req, Response& res,
                                           Clock::time_point deadline, std::chrono::milliseconds timeout);

  // Fit to carry another request (open, response fully read, both sides keep-alive).
  bool reusable() const { return reusable_; }
  Clock::time_point idle_since() const { return idle_since_; }
  // On executor(): close the socket and stop the watchdog.
  void close();

 private:
  boost::asio::awaitable<Attempt> connect(const Endpoint& endpoint, Clock::time_point deadline,
                                          std::chrono::milliseconds timeout);
  boost::asio::awaitable<Attempt> read_response(const Endpoint& endpoint, const Request& req, Response& res,
                                                std::chrono::milliseconds timeout);
  // Closes the connection and describes the failure.
  Attempt fail(ErrorKind kind, std::string message, bool nothing_received = true);

  boost::asio::any_io_executor executor_;
  const ClientOptions opts_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::string head_;  // request head, reused across requests
  Watchdog watchdog_;
  bool reusable_ = false;
  Clock::time_point idle_since_{};
};

}  // namespace mlfaas::http::detail
