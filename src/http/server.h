#pragma once
// HTTP/1.1 server: one coroutine per connection, each on its own strand, so the io_context can be
// run by any number of threads and a slow handler only ever holds up its own connection.
//
//   asio::io_context ioc;
//   http::Server server(ioc, {.port = 8080}, [](http::Request& req, http::RequestContext& ctx)
//       -> asio::awaitable<http::Response> {
//     auto result = co_await http::await_completion<Result>([&](auto done) { pool.submit(job, done); });
//     co_return http::json_response(http::Status::ok, to_json(result));
//   });
//   server.start();   // throws e.g. "cannot listen on 0.0.0.0:8080: port 8080 already in use"
//   ioc.run();
//
// Protocol behaviour:
//  - keep-alive (HTTP/1.1 default, HTTP/1.0 with "Connection: keep-alive"), pipelined requests;
//  - "Expect: 100-continue" is answered before the body is read (413 instead when too large);
//  - body over max_body_bytes -> 413, malformed request -> 400, headers over max_header_bytes -> 431,
//    all with a JSON {"error": ...} body and Connection: close;
//  - a handler that throws -> 500 {"error":"internal error"} (what() is logged), connection stays up;
//  - slow or idle clients are closed quietly after header_timeout / idle_timeout;
//  - while a handler runs, the connection is watched: if the client closes it, ctx.cancellation
//    fires, so the handler can stop working for a caller who has left;
//  - connections beyond max_connections get 503 + Retry-After and are closed;
//  - every response gets Server, Date and Content-Length; HEAD responses carry no body;
//  - the keep-alive flag is copied from the request (helpers in responses.h don't set it), or
//    forced off while draining; a handler may force it off with Connection: close.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/cancellation.h"
#include "http/types.h"

namespace mlfaas::http {

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8080;  // 0 = ephemeral (see Server::port())
  uint64_t max_body_bytes = 16 << 20;
  uint32_t max_header_bytes = 16 << 10;
  // From the first byte of a request until its headers are complete (slowloris protection).
  std::chrono::milliseconds header_timeout{10'000};
  // Between requests on a keep-alive connection.
  std::chrono::milliseconds idle_timeout{60'000};
  // Reading the whole body once headers are in; writing a whole response.
  std::chrono::milliseconds body_timeout{60'000};
  std::chrono::milliseconds write_timeout{60'000};
  std::string server_header = "mlfaas";
  // Open connections beyond this are answered 503 + Retry-After and closed at once, so idle
  // clients can never use up the file descriptors new clients need (Envoy's overload manager
  // caps downstream connections the same way). 0 = half the process's file-descriptor limit.
  size_t max_connections = 0;
  // A lower body limit for some requests, decided from the head before any body byte is read
  // (e.g. an admin API that takes small documents): 413 above it. Optional.
  std::function<uint64_t(const Request& head)> body_limit_for;
};

struct RequestContext {
  boost::asio::ip::tcp::endpoint remote;
  std::chrono::steady_clock::time_point received;  // when the full request had been read
  // Fired if the client closes the connection while the handler runs (see cancellation.h).
  std::shared_ptr<Cancellation> cancellation = std::make_shared<Cancellation>();
};

// Runs on the connection's strand; may co_await anything (see async_result.h for work on other
// threads). Exceptions become 500 responses.
using Handler = std::function<boost::asio::awaitable<Response>(Request&, RequestContext&)>;

namespace detail {
struct ServerShared;
class Listener;
}  // namespace detail

class Server {
 public:
  Server(boost::asio::io_context& ioc, ServerOptions options, Handler handler);
  // Closes the listener and every connection. Connection coroutines still running finish on the
  // io_context; they keep the handler alive by themselves.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens synchronously (so errors surface here as std::runtime_error with a clear
  // message), then accepts on the io_context.
  void start();
  // The bound port (the real one when options.port was 0). Valid after start().
  uint16_t port() const { return port_; }

  // Graceful shutdown, in this order: stop_accepting() closes the listening socket (new connects
  // are refused); begin_drain() makes every connection answer its current/next response with
  // Connection: close and closes connections that are idle between requests. Wait for
  // connections() == 0 (or a deadline), then close_connections() for whatever is left.
  void stop_accepting();
  void begin_drain();
  // Closes every connection now, mid-request or not.
  void close_connections();

  // Requests whose headers have been read and whose response is not fully written yet.
  size_t in_flight() const;
  size_t connections() const;

 private:
  boost::asio::io_context& ioc_;
  std::shared_ptr<detail::ServerShared> shared_;
  std::shared_ptr<detail::Listener> listener_;
  uint16_t port_ = 0;
};

}  // namespace mlfaas::http
