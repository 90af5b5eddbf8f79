#include "bench/load_thread.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace mlfaas::bench {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
// A sleeping dispatcher looks at the stop flag at least this often.
constexpr auto kMaxSleep = 100ms;

Cause cause_of(http::ErrorKind k) {
  switch (k) {
    case http::ErrorKind::connect: return Cause::connect;
    case http::ErrorKind::write: return Cause::write;
    case http::ErrorKind::timeout: return Cause::timeout;
    case http::ErrorKind::read:
    case http::ErrorKind::cancelled:
    case http::ErrorKind::none: break;
  }
  return Cause::read;
}

// Bytes of the response as it came over the wire (status line, headers, body), without chunked
// framing: what wrk's Transfer/sec counts, to within a few bytes.
uint64_t response_bytes(const http::Response& r) {
  uint64_t n = std::string_view("HTTP/1.1 200 \r\n").size() + r.reason().size() + 2;
  for (auto& f : r) n += f.name_string().size() + 2 + f.value().size() + 2;
  return n + r.body().size();
}

// A coroutine's failure must not vanish: let it end the program loudly.
void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

int share(uint64_t total, int parts, int index) {
  return int(total / uint64_t(parts) + (uint64_t(index) < total % uint64_t(parts) ? 1 : 0));
}

}  // namespace

LoadThread::LoadThread(const LoadSpec& spec, int index, LoadShared& shared)
    : spec_(spec),
      shared_(shared),
      index_(index),
      connections_(share(uint64_t(spec.connections), spec.threads, index)),
      open_loop_quota_(spec.max_requests ? uint64_t(share(spec.max_requests, spec.threads, index)) : 0),
      next_(size_t(index)),
      recorder_(spec.origin, spec.start, spec.window),
      requests_(spec.requests) {
  http::ClientOptions o;
  o.single_threaded = true;  // this thread alone runs ioc_
  o.max_idle_per_endpoint = size_t(connections_) + 1;
  // A connect that does not complete within the request timeout is a connect failure, not a
  // request timeout.
  o.connect_timeout = std::max(std::chrono::milliseconds(1), spec.timeout - std::chrono::milliseconds(1));
  client_.emplace(ioc_.get_executor(), o);
  if (spec.max_requests && spec.rate > 0 && open_loop_quota_ == 0) connections_ = 0;  // nothing to send
}

LoadThread::~LoadThread() = default;

uint64_t LoadThread::connections_opened() const { return client_->connections_opened(); }

void LoadThread::run() {
  if (connections_ > 0) {
    active_ = connections_;
    if (spec_.rate > 0) {
      dispatching_ = true;
      wake_.emplace(ioc_, Clock::time_point::max());
      asio::co_spawn(ioc_, open_dispatcher(), rethrow);
      for (int i = 0; i < connections_; ++i) asio::co_spawn(ioc_, open_connection(), rethrow);
    } else {
      for (int i = 0; i < connections_; ++i) asio::co_spawn(ioc_, closed_connection(), rethrow);
    }
    ioc_.run();
  }
  if (finished_at_ == Clock::time_point{}) finished_at_ = Clock::now();
}

bool LoadThread::time_is_up(Clock::time_point t) const {
  return shared_.stop.load(std::memory_order_relaxed) || (spec_.duration && t >= spec_.start + *spec_.duration);
}

http::Request& LoadThread::next_request() { return requests_[next_++ % requests_.size()]; }

void LoadThread::record(Clock::time_point start, const http::ClientResult& r) {
  const auto end = Clock::now();
  if (r.ok())
    recorder_.response(start, end, int(r.response.result_int()), response_bytes(r.response));
  else
    recorder_.failure(start, end, cause_of(r.error));
}

void LoadThread::connection_done() {
  if (--active_ > 0) return;
  finished_at_ = Clock::now();
  client_->close_idle();  // cancels the pooled connections' timers so ioc_.run() returns
}

asio::awaitable<void> LoadThread::sleep_until(Clock::time_point t) {
  asio::steady_timer timer(ioc_);
  while (!shared_.stop.load(std::memory_order_relaxed)) {
    const auto now = Clock::now();
    if (now >= t) break;
    timer.expires_at(std::min(t, now + kMaxSleep));
    co_await timer.async_wait(nothrow);
  }
}

asio::awaitable<void> LoadThread::closed_connection() {
  for (;;) {
    const auto start = Clock::now();
    if (time_is_up(start)) break;
    if (spec_.max_requests && shared_.issued.fetch_add(1, std::memory_order_relaxed) >= spec_.max_requests) break;
    http::ClientResult r = co_await client_->send(spec_.endpoint, next_request(), spec_.timeout);
    record(start, r);
  }
  connection_done();
}

asio::awaitable<void> LoadThread::open_dispatcher() {
  // Constant-rate streams of the threads interleave evenly: thread i starts i / rate later.
  const double phase = spec_.arrival == Arrival::constant ? double(index_) / spec_.rate : 0;
  SendSchedule schedule(spec_.arrival, spec_.rate / spec_.threads, phase, spec_.seed + uint64_t(index_));
  uint64_t scheduled = 0;
  for (;;) {
    const auto due = spec_.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(schedule.next()));
    if (time_is_up(due) || (open_loop_quota_ && scheduled >= open_loop_quota_)) break;
    co_await sleep_until(due);
    if (shared_.stop.load(std::memory_order_relaxed)) break;
    ++scheduled;
    due_.push_back(due);
    wake_->cancel_one();  // an idle connection takes it; if none is idle, the next one to finish does
  }
  dispatching_ = false;
  wake_->cancel();
}

asio::awaitable<void> LoadThread::open_connection() {
  for (;;) {
    if (due_.empty()) {
      if (!dispatching_) break;
      co_await wake_->async_wait(nothrow);  // woken (cancelled) when a request is due
      continue;
    }
    const auto intended = due_.front();
    due_.pop_front();
    const auto picked = Clock::now();
    recorder_.send_lag(picked - intended);
    const auto waited = picked - intended;
    if (waited >= spec_.timeout) {
      recorder_.failure(intended, picked, Cause::timeout);
      continue;
    }
    // Rounded up, so a request is never given up before its intended time + timeout.
    const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(spec_.timeout - waited);
    http::ClientResult r = co_await client_->send(spec_.endpoint, next_request(), remaining);
    record(intended, r);
  }
  connection_done();
}

}  // namespace mlfaas::bench
