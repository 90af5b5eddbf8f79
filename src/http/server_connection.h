#pragma once
// Internal to mlfaas_http: one accepted connection and the state it shares with the Server.
//
// Ownership: the connection's coroutine owns it (shared_ptr); ServerShared only keeps a weak
// reference plus the strand to reach it on, so Server can drain or close it without racing the
// coroutine. Everything in ServerConnection runs on that strand.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "http/server.h"
#include "http/watchdog.h"

namespace mlfaas::http::detail {

class ServerConnection;

// What the listener, the connections and the Server handle have in common; outlives the Server
// while connections are still running.
struct ServerShared {
  ServerShared(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}
  const ServerOptions options;
  const Handler handler;
  std::atomic<bool> draining{false};
  std::atomic<size_t> in_flight{0};
  std::atomic<size_t> connections{0};

  struct Entry {
    boost::asio::any_io_executor strand;
    std::weak_ptr<ServerConnection> connection;
  };
  std::mutex mu;  // guards live and next_id
  std::map<uint64_t, Entry> live;
  uint64_t next_id = 0;

  // Runs f(connection) on each live connection's strand.
  template <class F> void for_each_connection(F f);
};

class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  // Registers the connection and starts its coroutine on the socket's executor (a strand).
  static void start(std::shared_ptr<ServerShared> shared, boost::asio::ip::tcp::socket socket);

  ServerConnection(std::shared_ptr<ServerShared> shared, boost::asio::ip::tcp::socket socket);
  ~ServerConnection();

  // On the strand: close now if idle between requests (otherwise the next response says close).
  void on_drain();
  // On the strand: close now, whatever is in progress.
  void close_now();

 private:
  enum class Phase { idle, reading, handling, writing, closing };
  enum class Next;  // after a request: keep going, close quietly, or close after the response

  static boost::asio::awaitable<void> run(std::shared_ptr<ServerConnection> self);
  // Reads one request, runs the handler and writes the response.
  boost::asio::awaitable<Next> serve_one();
  // Answers a failed read: 400/413/431, or nothing for disconnects and timeouts.
  boost::asio::awaitable<Next> reject(const boost::system::error_code& ec);
  boost::asio::awaitable<void> write_error(Status status, std::string_view message);
  // Writes `res` with the server-managed headers (see message_head.h); HEAD and 1xx/204/304
  // responses go out without a body. False if the write failed.
  boost::asio::awaitable<bool> write(const Response& res, unsigned version, bool keep_alive, bool head);
  // Half-close, then read and discard until the peer closes (bounded), so unread request bytes
  // don't turn our close into a RST that destroys the response we just sent.
  boost::asio::awaitable<void> linger_close();
  // While the handler runs: a read that fires `c` if the client closes the connection (bytes that
  // arrive instead are kept for the next request).
  void start_watch(std::shared_ptr<Cancellation> c);
  boost::asio::awaitable<void> stop_watch();

  std::shared_ptr<ServerShared> shared_;
  const ServerOptions& opts_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::endpoint remote_;
  boost::beast::flat_buffer buffer_;
  std::string head_;  // response head, reused across requests
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Watchdog watchdog_;
  Phase phase_ = Phase::idle;
  uint64_t body_limit_ = 0;  // the current request's
  bool watching_ = false;
  boost::asio::steady_timer watch_done_;  // woken when the watching read completes
  uint64_t id_ = 0;
};

template <class F> void ServerShared::for_each_connection(F f) {
  std::lock_guard lk(mu);
  for (auto& [id, e] : live)
    boost::asio::post(e.strand, [w = e.connection, f] {
      if (auto c = w.lock()) f(*c);
    });
}

}  // namespace mlfaas::http::detail
