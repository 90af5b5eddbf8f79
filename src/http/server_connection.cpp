#include "http/server_connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "common/log.h"
#include "common/strings.h"
#include "http/framing.h"
#include "http/http_date.h"
#include "http/message_head.h"
#include "http/responses.h"

namespace mlfaas::http::detail {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 16 * 1024;
// Bounds on reading-and-discarding after a Connection: close response (nginx's lingering close:
// lingering_timeout 5 s between reads, lingering_time 30 s in all), so that a client still sending
// an oversized body reads our 413 instead of a reset.
constexpr auto kLingerIdle = std::chrono::seconds(2);
constexpr auto kLingerTotal = std::chrono::seconds(30);
constexpr size_t kLingerMaxBytes = size_t(1) << 30;
constexpr std::string_view k100Continue = "HTTP/1.1 100 Continue\r\n\r\n";

bool expects_continue(const Request& req) {
  return req.version() >= 11 && iequals(req[Field::expect], "100-continue");
}

bool is_parse_error(const error_code& ec) {
  return ec.category() == boost::beast::http::make_error_code(boost::beast::http::error::bad_method).category();
}

// Counts a request as in flight for as long as it lives.
struct InFlight {
  explicit InFlight(std::atomic<size_t>& n) : n(n) { n.fetch_add(1, std::memory_order_relaxed); }
  ~InFlight() { n.fetch_sub(1, std::memory_order_relaxed); }
  std::atomic<size_t>& n;
};

}  // namespace

enum class ServerConnection::Next { keep_going, close_quietly, close_after_response };

void ServerConnection::start(std::shared_ptr<ServerShared> shared, asio::ip::tcp::socket socket) {
  auto ex = socket.get_executor();
  auto conn = std::make_shared<ServerConnection>(shared, std::move(socket));
  {
    std::lock_guard lk(shared->mu);
    conn->id_ = shared->next_id++;
    shared->live.emplace(conn->id_, ServerShared::Entry{ex, conn});
  }
  asio::co_spawn(ex, run(std::move(conn)), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      log::error("http connection failed: {}", x.what());
    }
  });
}

ServerConnection::ServerConnection(std::shared_ptr<ServerShared> shared, asio::ip::tcp::socket socket)
    : shared_(std::move(shared)),
      opts_(shared_->options),
      socket_(std::move(socket)),
      watchdog_(socket_.get_executor(),
                std::min({opts_.header_timeout, opts_.idle_timeout, opts_.body_timeout, opts_.write_timeout}),
                [this] {
                  error_code ec;
                  socket_.close(ec);  // fails the pending operation; expired() tells why
                }),
      watch_done_(socket_.get_executor()) {
  shared_->connections.fetch_add(1, std::memory_order_relaxed);
  error_code ec;
  remote_ = socket_.remote_endpoint(ec);
}

ServerConnection::~ServerConnection() {
  shared_->connections.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard lk(shared_->mu);
  shared_->live.erase(id_);
}

void ServerConnection::on_drain() {
  // An idle connection is parked in a single read_some: cancelling it ends the connection. If the
  // read already completed (a request is arriving), the request is served with Connection: close.
  if (phase_ == Phase::idle) {
    error_code ec;
    socket_.cancel(ec);
  }
}

void ServerConnection::close_now() {
  error_code ec;
  socket_.close(ec);
}

asio::awaitable<void> ServerConnection::run(std::shared_ptr<ServerConnection> self) {
  Next next;
  do next = co_await self->serve_one();
  while (next == Next::keep_going);
  if (next == Next::close_after_response) {
    co_await self->linger_close();
  } else {
    error_code ec;
    self->socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    self->socket_.close(ec);
  }
  self->watchdog_.stop();
}

asio::awaitable<ServerConnection::Next> ServerConnection::serve_one() {
  // Idle: wait for the first byte of the next request, unless a pipelined one is already buffered.
  // Reading it ourselves is what lets begin_drain() tell idle connections from busy ones.
  if (buffer_.size() == 0) {
    if (shared_->draining.load()) co_return Next::close_quietly;
    // A large upload grows the buffer; don't keep that memory on a connection that sits idle.
    if (buffer_.capacity() > 4 * kReadChunk) buffer_.shrink_to_fit();
    phase_ = Phase::idle;
    watchdog_.arm_after(opts_.idle_timeout);
    auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(kReadChunk), nothrow);
    if (ec) co_return Next::close_quietly;  // peer closed, idle timeout or drain
    buffer_.commit(n);
  }

  phase_ = Phase::reading;
  watchdog_.arm_after(opts_.header_timeout);
  parser_.emplace();
  parser_->header_limit(opts_.max_header_bytes);
  parser_->body_limit(opts_.max_body_bytes);
  body_limit_ = opts_.max_body_bytes;
  // Fast path: the idle read normally brought the whole header, so parse it in place instead of
  // paying for a composed read operation that would find nothing to read.
  error_code parse_ec;
  buffer_.consume(parser_->put(buffer_.data(), parse_ec));
  if (parse_ec == bhttp::error::need_more) {
    if (auto [ec, n] = co_await bhttp::async_read_header(socket_, buffer_, *parser_, nothrow); ec)
      co_return co_await reject(ec);
  } else if (parse_ec) {
    co_return co_await reject(parse_ec);
  }

  // Framing the parser cannot be trusted with (RFC 9112 §6.1, §3.2): answered and closed before
  // any body byte is read, so no request can be smuggled inside another.
  if (auto bad = framing_error(parser_->get())) {
    co_await write_error(bad->status, bad->message);
    co_return Next::close_after_response;
  }

  if (opts_.body_limit_for) {
    body_limit_ = std::min<uint64_t>(body_limit_, opts_.body_limit_for(parser_->get()));
    if (auto cl = parser_->content_length(); cl && *cl > body_limit_)
      co_return co_await reject(boost::beast::http::error::body_limit);
    if (!parser_->is_done()) parser_->body_limit(body_limit_);
  }

  InFlight counted(shared_->in_flight);
  if (!parser_->is_done()) {
    if (expects_continue(parser_->get())) {
      // Clients (curl for bodies over 1 KiB) wait for this before sending the body.
      watchdog_.arm_after(opts_.write_timeout);
      if (auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(k100Continue), nothrow); ec)
        co_return Next::close_quietly;
    }
    watchdog_.arm_after(opts_.body_timeout);
    if (auto [ec, n] = co_await bhttp::async_read(socket_, buffer_, *parser_, nothrow); ec)
      co_return co_await reject(ec);
  }
  watchdog_.disarm();  // handlers may legitimately take long

  Request req = parser_->release();
  parser_.reset();
  RequestContext ctx{remote_, Clock::now()};
  phase_ = Phase::handling;
  // Nothing else is buffered (no pipelined request), so the next thing the client does is either
  // wait or close: watch for the close.
  const bool watch = buffer_.size() == 0;
  if (watch) start_watch(ctx.cancellation);
  Response res;
  try {
    res = co_await shared_->handler(req, ctx);
  } catch (const std::exception& e) {
    log::error("handler failed for {} {}: {}", std::string_view(req.method_string()), std::string_view(req.target()),
               e.what());
    res = error_response(Status::internal_server_error, "internal error");
  } catch (...) {
    log::error("handler failed for {} {}: unknown exception", std::string_view(req.method_string()),
               std::string_view(req.target()));
    res = error_response(Status::internal_server_error, "internal error");
  }
  if (watch) co_await stop_watch();

  // A handler may force a close with Connection: close; draining forces it for everyone.
  bool keep_alive = req.keep_alive() && res.keep_alive() && !shared_->draining.load();
  if (!co_await write(res, req.version(), keep_alive, req.method() == Verb::head)) co_return Next::close_quietly;
  co_return keep_alive ? Next::keep_going : Next::close_after_response;
}

asio::awaitable<ServerConnection::Next> ServerConnection::reject(const error_code& ec) {
  using e = boost::beast::http::error;
  if (watchdog_.expired()) co_return Next::close_quietly;  // slow client: nobody to answer
  Status status;
  std::string message;  // a named local: see the g++ 12 note in async_result.h about co_await temporaries
  if (ec == e::body_limit) {
    status = Status::payload_too_large;
    message = fmt::format("request body is larger than the limit of {} bytes", body_limit_);
  } else if (ec == e::header_limit) {
    status = Status::request_header_fields_too_large;
    message = fmt::format("request headers are larger than the limit of {} bytes", opts_.max_header_bytes);
  } else if (ec == e::end_of_stream || ec == e::partial_message || !is_parse_error(ec)) {
    co_return Next::close_quietly;  // the client went away
  } else {
    status = Status::bad_request;
    message = "malformed request: " + ec.message();
  }
  co_await write_error(status, message);
  co_return Next::close_after_response;
}

asio::awaitable<void> ServerConnection::write_error(Status status, std::string_view message) {
  auto res = error_response(status, message);
  co_await write(res, 11, false, false);
}

asio::awaitable<bool> ServerConnection::write(const Response& res, unsigned version, bool keep_alive, bool head) {
  phase_ = Phase::writing;
  HeadParams p;
  p.version = version;
  p.keep_alive = keep_alive;
  p.server = opts_.server_header;
  p.date = http_date_now();
  unsigned code = res.result_int();
  bool bodiless_status = code / 100 == 1 || code == 204 || code == 304;
  if (!bodiless_status) {
    p.content_length = res.body().size();
    // HEAD: the length GET would send, or the one the handler set if it left the body empty.
    if (head && res.body().empty())
      if (auto it = res.find(Field::content_length); it != res.end()) {
        auto v = it->value();
        uint64_t n;
        if (std::from_chars(v.data(), v.data() + v.size(), n).ec == std::errc()) p.content_length = n;
      }
  }
  serialize_head(head_, res, p);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::const_buffer()};
  if (!head && !bodiless_status) buffers[1] = asio::buffer(res.body());
  watchdog_.arm_after(opts_.write_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, buffers, nothrow);
  watchdog_.disarm();
  co_return !ec;
}

void ServerConnection::start_watch(std::shared_ptr<Cancellation> c) {
  watching_ = true;
  watch_done_.expires_at(asio::steady_timer::time_point::max());
  socket_.async_read_some(buffer_.prepare(kReadChunk), [self = shared_from_this(), c = std::move(c)](error_code ec, size_t n) {
    self->watching_ = false;
    if (!ec) self->buffer_.commit(n);  // the next request (or garbage) is arriving: the caller is still there
    else if (ec != asio::error::operation_aborted) c->cancel();  // EOF or reset: the caller left
    self->watch_done_.cancel();
  });
}

asio::awaitable<void> ServerConnection::stop_watch() {
  // The read's completion runs on this strand, so it cannot slip in between the check and the wait.
  if (!watching_) co_return;
  error_code ec;
  socket_.cancel(ec);
  co_await watch_done_.async_wait(nothrow);
}

asio::awaitable<void> ServerConnection::linger_close() {
  phase_ = Phase::closing;
  error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  const auto until = Clock::now() + kLingerTotal;
  size_t discarded = 0;
  while (!ec && discarded < kLingerMaxBytes && Clock::now() < until) {
    buffer_.clear();
    watchdog_.arm_after(kLingerIdle);
    size_t n;
    std::tie(ec, n) = co_await socket_.async_read_some(buffer_.prepare(kReadChunk), nothrow);
    discarded += n;
  }
  socket_.close(ec);
}

}  // namespace mlfaas::http::detail
