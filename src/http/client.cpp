#include "http/client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "http/client_connection.h"

namespace mlfaas::http {

namespace asio = boost::asio;
using detail::ClientConnection;
using Clock = std::chrono::steady_clock;

std::string Endpoint::to_string() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);  // IPv6 literal
  return fmt::format("{}:{}", host, port);
}

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::none: return "none";
    case ErrorKind::connect: return "connect";
    case ErrorKind::write: return "write";
    case ErrorKind::read: return "read";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::cancelled: return "cancelled";
  }
  return "?";
}

Client::Client(asio::any_io_executor ex, ClientOptions options) : ex_(std::move(ex)), opts_(options) {}

Client::~Client() { close_idle(); }

namespace {

// Runs one attempt on the connection's executor; inline when the caller already runs there.
asio::awaitable<ClientConnection::Attempt> attempt_on(ClientConnection& c, bool run_inline, const Endpoint& ep,
                                                      const Request& req, Response& res, Clock::time_point deadline,
                                                      std::chrono::milliseconds timeout) {
  if (run_inline) co_return co_await c.exchange(ep, req, res, deadline, timeout);
  co_return co_await asio::co_spawn(c.executor(), c.exchange(ep, req, res, deadline, timeout), asio::use_awaitable);
}

bool may_be_stale(const ClientConnection::Attempt& a) {
  return (a.error == ErrorKind::write || a.error == ErrorKind::read) && a.nothing_received;
}

}  // namespace

asio::awaitable<ClientResult> Client::request(const Endpoint& endpoint, Request req,
                                              std::chrono::milliseconds timeout, std::shared_ptr<Cancellation> cancel) {
  co_return co_await send(endpoint, req, timeout, std::move(cancel));
}

asio::awaitable<ClientResult> Client::send(const Endpoint& endpoint, Request& req,
                                           std::chrono::milliseconds timeout, std::shared_ptr<Cancellation> cancel) {
  auto deadline = Clock::now() + timeout;
  if (req.find(Field::host) == req.end())
    req.set(Field::host, endpoint.port == 80 ? endpoint.host : endpoint.to_string());
  if (req.find(Field::connection) == req.end()) req.keep_alive(true);
  req.prepare_payload();
  // Connections share the client's executor in single-threaded mode, so we may drive them directly.
  const bool run_inline = opts_.single_threaded && (co_await asio::this_coro::executor) == ex_;

  ClientResult result;
  auto cancelled = [&] { return cancel && cancel->cancelled(); };
  auto abandon = [&] {
    result.error = ErrorKind::cancelled;
    result.message = fmt::format("request to {} abandoned: the caller went away", endpoint.to_string());
    result.response = {};
  };
  if (cancelled()) {
    abandon();
    co_return result;
  }
  // Closing the socket fails whatever the exchange awaits; it then comes back as cancelled. In
  // single-threaded mode every handler (the caller's strand included) runs on the one thread, so
  // the cancellation may close the connection directly.
  auto watch = [&](ClientConnection& c) {
    return opts_.single_threaded ? Cancellation::on_cancel(cancel, [&c] { c.close(); }) : Cancellation::Subscription();
  };
  if (auto pooled = take_idle(endpoint)) {
    auto sub = watch(*pooled);
    auto a = co_await attempt_on(*pooled, run_inline, endpoint, req, result.response, deadline, timeout);
    sub.reset();
    if (cancelled()) {
      discard(std::move(pooled));
      abandon();
      co_return result;
    }
    if (!may_be_stale(a)) {
      result.error = a.error;
      result.message = std::move(a.message);
      result.nothing_received = a.nothing_received;
      result.reused_connection = true;
      give_back(endpoint, std::move(pooled));
      co_return result;
    }
    // The server most likely closed this idle connection; nothing was received, so re-send once.
    discard(std::move(pooled));
    result.retried = true;
    result.response = {};
  }

  auto fresh = std::make_unique<ClientConnection>(ex_, opts_);
  auto sub = watch(*fresh);
  auto a = co_await attempt_on(*fresh, run_inline, endpoint, req, result.response, deadline, timeout);
  sub.reset();
  if (a.connected_now) opened_.fetch_add(1, std::memory_order_relaxed);
  if (cancelled()) {
    discard(std::move(fresh));
    abandon();
    co_return result;
  }
  result.error = a.error;
  result.message = std::move(a.message);
  result.nothing_received = a.nothing_received;
  give_back(endpoint, std::move(fresh));
  co_return result;
}

Client::ConnectionPtr Client::take_idle(const Endpoint& endpoint) {
  auto now = Clock::now();
  std::lock_guard lk(mu_);
  auto it = idle_.find(endpoint);
  if (it == idle_.end()) return nullptr;
  auto& stack = it->second;
  while (!stack.empty()) {
    auto c = std::move(stack.back());
    stack.pop_back();
    if (now - c->idle_since() <= opts_.max_idle_time) return c;
    discard(std::move(c));  // likely already dropped by the server
  }
  return nullptr;
}

void Client::give_back(const Endpoint& endpoint, ConnectionPtr c) {
  if (c->reusable()) {
    std::lock_guard lk(mu_);
    auto& stack = idle_[endpoint];
    if (stack.size() < opts_.max_idle_per_endpoint) {
      stack.push_back(std::move(c));
      return;
    }
  }
  discard(std::move(c));
}

void Client::discard(ConnectionPtr c) {
  // Close and destroy on the connection's strand, where its watchdog's timer handler runs.
  auto ex = c->executor();
  asio::post(ex, [c = std::move(c)]() mutable {
    c->close();
    c.reset();
  });
}

void Client::close_idle() {
  decltype(idle_) all;
  {
    std::lock_guard lk(mu_);
    all.swap(idle_);
  }
  for (auto& [key, stack] : all)
    for (auto& c : stack) discard(std::move(c));
}

void Client::close_idle(const Endpoint& endpoint) {
  std::vector<ConnectionPtr> stack;
  {
    std::lock_guard lk(mu_);
    auto it = idle_.find(endpoint);
    if (it == idle_.end()) return;
    stack.swap(it->second);
    idle_.erase(it);
  }
  for (auto& c : stack) discard(std::move(c));
}

size_t Client::idle_connections() const {
  std::lock_guard lk(mu_);
  size_t n = 0;
  for (auto& [key, stack] : idle_) n += stack.size();
  return n;
}

}  // namespace mlfaas::http
