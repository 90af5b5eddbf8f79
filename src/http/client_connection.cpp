#include "http/client_connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include <array>
#include <optional>

#include "http/message_head.h"

namespace mlfaas::http::detail {
namespace {

namespace asio = boost::asio;
using http_error = boost::beast::http::error;
using boost::system::error_code;
using asio::ip::tcp;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
// The watchdog's longest sleep; bounds how long a pooled connection keeps a timer wait pending.
constexpr auto kMaxWatchdogSleep = std::chrono::seconds(1);

bool is_parse_error(const error_code& ec) {
  return ec.category() == boost::beast::http::make_error_code(http_error::bad_version).category();
}

}  // namespace

ClientConnection::ClientConnection(const asio::any_io_executor& client_executor, const ClientOptions& options)
    : executor_(options.single_threaded ? client_executor
                                        : asio::any_io_executor(asio::make_strand(client_executor))),
      opts_(options),
      socket_(executor_),
      watchdog_(executor_, kMaxWatchdogSleep, [this] {
        error_code ec;
        socket_.close(ec);  // fails whatever is pending; expired() tells it was the deadline
      }) {}

void ClientConnection::close() {
  reusable_ = false;
  error_code ec;
  socket_.close(ec);
}

ClientConnection::Attempt ClientConnection::fail(ErrorKind kind, std::string message, bool nothing_received) {
  close();
  watchdog_.disarm();
  Attempt a;
  a.error = kind;
  a.message = std::move(message);
  a.nothing_received = nothing_received;
  return a;
}

asio::awaitable<ClientConnection::Attempt> ClientConnection::exchange(const Endpoint& ep, const Request& req,
                                                                      Response& res, Clock::time_point deadline,
                                                                      std::chrono::milliseconds timeout) {
  bool connected_now = false;
  if (!socket_.is_open()) {
    if (auto a = co_await connect(ep, deadline, timeout); a.error != ErrorKind::none) co_return a;
    connected_now = true;
  }
  reusable_ = false;
  watchdog_.arm(deadline);
  Attempt result;
  serialize_head(head_, req);
  std::array<asio::const_buffer, 2> request_buffers{asio::buffer(head_), asio::buffer(req.body())};
  if (auto [ec, n] = co_await asio::async_write(socket_, request_buffers, nothrow); ec) {
    if (watchdog_.expired())
      result = fail(ErrorKind::timeout, fmt::format("no response from {} within {} ms (timed out sending the request)",
                                                    ep.to_string(), timeout.count()));
    else {
      // The server may have answered early (a 413 before reading the body) and closed its side:
      // its response beats our write error.
      result = co_await read_response(ep, req, res, timeout);
      if (result.error != ErrorKind::none)
        result = fail(ErrorKind::write, fmt::format("write to {} failed: {}", ep.to_string(), ec.message()),
                      result.nothing_received);
    }
  } else {
    result = co_await read_response(ep, req, res, timeout);
  }
  result.connected_now = connected_now;
  co_return result;
}

asio::awaitable<ClientConnection::Attempt> ClientConnection::connect(const Endpoint& ep, Clock::time_point deadline,
                                                                     std::chrono::milliseconds timeout) {
  auto connect_deadline = std::min(deadline, Clock::now() + opts_.connect_timeout);
  bool connect_timeout_first = connect_deadline < deadline;
  watchdog_.arm(connect_deadline);

  error_code ec;
  auto ip = asio::ip::make_address(ep.host, ec);
  if (!ec) {
    std::tie(ec) = co_await socket_.async_connect(tcp::endpoint(ip, ep.port), nothrow);
  } else {
    // Name resolution runs on asio's resolver thread and is not cut short by the watchdog.
    tcp::resolver resolver(executor_);
    auto [rec, results] = co_await resolver.async_resolve(ep.host, std::to_string(ep.port), nothrow);
    if (rec)
      co_return fail(ErrorKind::connect, fmt::format("cannot resolve host \"{}\": {}", ep.host, rec.message()));
    tcp::endpoint chosen;
    std::tie(ec, chosen) = co_await asio::async_connect(socket_, results, nothrow);
  }
  if (ec) {
    if (!watchdog_.expired())
      co_return fail(ErrorKind::connect, fmt::format("connect to {} failed: {}", ep.to_string(), ec.message()));
    if (connect_timeout_first)
      co_return fail(ErrorKind::connect,
                     fmt::format("connect to {} timed out after {} ms", ep.to_string(), opts_.connect_timeout.count()));
    co_return fail(ErrorKind::timeout,
                   fmt::format("no response from {} within {} ms (still connecting)", ep.to_string(), timeout.count()));
  }
  socket_.set_option(tcp::no_delay(true), ec);
  buffer_.clear();
  co_return Attempt{};
}

asio::awaitable<ClientConnection::Attempt> ClientConnection::read_response(const Endpoint& ep, const Request& req,
                                                                           Response& res,
                                                                           std::chrono::milliseconds timeout) {
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser;
  bool got_interim = false;
  for (;;) {
    parser.emplace();
    parser->body_limit(opts_.max_response_body_bytes);
    parser->header_limit(opts_.max_response_header_bytes);
    if (req.method() == Verb::head) parser->skip(true);  // Content-Length without a body
    auto [ec, n] = co_await boost::beast::http::async_read(socket_, buffer_, *parser, nothrow);
    if (ec) {
      bool nothing = !got_interim && !parser->got_some() && buffer_.size() == 0;
      auto peer = ep.to_string();
      if (watchdog_.expired())
        co_return fail(ErrorKind::timeout, fmt::format("no response from {} within {} ms", peer, timeout.count()),
                       nothing);
      if (ec == http_error::body_limit)
        co_return fail(ErrorKind::read,
                       fmt::format("response from {} is larger than the limit of {} bytes", peer,
                                   opts_.max_response_body_bytes),
                       nothing);
      if (ec == http_error::end_of_stream || ec == http_error::partial_message || ec == asio::error::eof ||
          ec == asio::error::connection_reset)
        co_return fail(ErrorKind::read,
                       fmt::format("connection to {} closed before a complete response ({})", peer, ec.message()),
                       nothing);
      if (is_parse_error(ec))
        co_return fail(ErrorKind::read, fmt::format("malformed response from {}: {}", peer, ec.message()), nothing);
      co_return fail(ErrorKind::read, fmt::format("read from {} failed: {}", peer, ec.message()), nothing);
    }
    unsigned code = parser->get().result_int();
    if (code / 100 != 1 || code == 101) break;
    got_interim = true;  // 100 Continue and friends precede the real response
  }
  res = parser->release();
  watchdog_.disarm();
  reusable_ = res.keep_alive() && req.keep_alive() && buffer_.size() == 0;
  if (!reusable_) close();
  idle_since_ = Clock::now();
  co_return Attempt{};
}

}  // namespace mlfaas::http::detail
