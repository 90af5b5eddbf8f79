#pragma once
// Async HTTP/1.1 client with a keep-alive connection pool per endpoint, for the gateway (upstream
// pools) and the load generator. Network failures never throw: they come back as an ErrorKind
// saying precisely which step failed, which is what the load generator counts.
//
//   http::Client client(ioc.get_executor(), {.max_idle_per_endpoint = 32});
//   http::Request req{http::Verb::get, "/healthz", 11};
//   http::ClientResult r = co_await client.request({"127.0.0.1", 8080}, std::move(req), 2s);
//   if (!r.ok()) log::warn("{}: {}", http::to_string(r.error), r.message);
//
// Stale keep-alive: a server may close an idle pooled connection at any time. When a *reused*
// connection fails (write or read error) before any response byte arrives, the request is re-sent
// once on a fresh connection (ClientResult::retried). A request is never retried after a failure on
// a fresh connection, after a timeout, or once response bytes have arrived.
//
// Thread-safety: request() may be called concurrently from any coroutines/threads; each connection
// does its I/O on its own strand of the client's executor. With ClientOptions::single_threaded the
// strands (and the hop onto them) are skipped; see there. Destroy the Client before its
// io_context; pooled connections keep a short timer wait (<= 1 s) pending, which close_idle() (or
// the destructor) cancels so a run-to-completion io_context.run() returns promptly.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/cancellation.h"
#include "http/types.h"

namespace mlfaas::http {

// Not an aggregate on purpose: g++ 12 destroys aggregate temporaries with non-trivial members
// twice when they appear inside a co_await expression (co_await client.request({"h", 80}, ...));
// a constructor call is compiled correctly.
struct Endpoint {
  Endpoint() = default;
  Endpoint(std::string host, uint16_t port) : host(std::move(host)), port(port) {}
  std::string host;  // IP literal or a name to resolve
  uint16_t port = 80;
  std::string to_string() const;  // "host:port"
  bool operator==(const Endpoint&) const = default;
};

struct EndpointHash {
  size_t operator()(const Endpoint& e) const noexcept {
    return std::hash<std::string>()(e.host) ^ (size_t(e.port) * 0x9e3779b97f4a7c15ull);
  }
};

enum class ErrorKind {
  none,
  connect,  // resolve, refused, unreachable, or connect_timeout passed
  write,    // sending the request failed (reset, broken pipe)
  read,     // connection closed or reset before a complete response, malformed or oversized response
  timeout,  // the request deadline passed (while connecting, writing or waiting for the response)
  cancelled,  // the caller's Cancellation fired: the exchange was abandoned and its connection closed
};
const char* to_string(ErrorKind);

struct ClientResult {
  Response response;                 // valid when ok()
  ErrorKind error = ErrorKind::none;
  std::string message;               // what failed and why, e.g. "connect to 127.0.0.1:9 failed: Connection refused"
  bool reused_connection = false;    // the final attempt ran on a pooled connection
  bool retried = false;              // a stale pooled connection failed first; the request was re-sent fresh
  bool nothing_received = true;      // on failure: no response byte arrived (the request may be re-sent elsewhere)
  bool ok() const { return error == ErrorKind::none; }
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  size_t max_idle_per_endpoint = 64;
  // Pooled connections idle longer than this are closed instead of reused (servers drop idle
  // connections too; ours after 60 s, nginx after 75 s).
  std::chrono::milliseconds max_idle_time{30'000};
  uint64_t max_response_body_bytes = 256ull << 20;
  uint32_t max_response_header_bytes = 64 << 10;
  // Promise that the client's executor never runs two handlers at once (an io_context run by a
  // single thread, or a strand). Connections then use that executor directly instead of a strand
  // each, and requests made from coroutines on it run inline: what a wrk-style load generator with
  // one io_context per thread wants. Requests from other executors still work (they hop over).
  bool single_threaded = false;
};

namespace detail {
class ClientConnection;
}

class Client {
 public:
  explicit Client(boost::asio::any_io_executor ex, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `req` and reads the response within `timeout` (which includes connecting). Adds Host
  // (if absent), keep-alive (unless the request says Connection: close) and Content-Length.
  // With `cancel` (a proxy passes its own caller's), the exchange is abandoned when it fires: the
  // connection is closed, so the server sees its client leave too (single_threaded clients only:
  // the cancellation must fire on the io_context thread that runs the client; otherwise it is
  // only checked before and after the exchange).
  boost::asio::awaitable<ClientResult> request(const Endpoint& endpoint, Request req,
                                               std::chrono::milliseconds timeout,
                                               std::shared_ptr<Cancellation> cancel = nullptr);
  // Same, but leaves `req` with the caller (only Host, Connection and Content-Length may be set on
  // it), so a proxy can re-send it elsewhere without copying the body.
  boost::asio::awaitable<ClientResult> send(const Endpoint& endpoint, Request& req,
                                            std::chrono::milliseconds timeout,
                                            std::shared_ptr<Cancellation> cancel = nullptr);

  // Closes every pooled idle connection (to one endpoint: e.g. a replica being stopped, so that
  // it sees its clients go and can exit).
  void close_idle();
  void close_idle(const Endpoint& endpoint);

  size_t idle_connections() const;
  // Connections opened over the client's lifetime (successful connects).
  uint64_t connections_opened() const { return opened_.load(std::memory_order_relaxed); }

 private:
  using ConnectionPtr = std::unique_ptr<detail::ClientConnection>;
  ConnectionPtr take_idle(const Endpoint& endpoint);
  void give_back(const Endpoint& endpoint, ConnectionPtr c);
  static void discard(ConnectionPtr c);

  boost::asio::any_io_executor ex_;
  ClientOptions opts_;
  mutable std::mutex mu_;
  std::unordered_map<Endpoint, std::vector<ConnectionPtr>, EndpointHash> idle_;  // most recent last
  std::atomic<uint64_t> opened_{0};
};

}  // namespace mlfaas::http
