#include "platform/async_queue.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"
#include "common/strings.h"
#include "http/async_result.h"
#include "http/url.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string subject_of(const std::string& function) { return std::string(async::kAsyncSubjectPrefix) + function; }
std::string dead_subject_of(const std::string& function) { return std::string(async::kDeadLetterSubjectPrefix) + function; }

// NATS header values must stay on one line.
std::string one_line(std::string s, size_t max = 512) {
  for (auto& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  if (s.size() > max) s.resize(max);
  return s;
}

std::vector<double> latency_buckets() { return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}; }

}  // namespace

AsyncQueue::AsyncQueue(asio::io_context& ioc, async::JetStream& js, BlockingPool& pool, http::Client& client,
                       metrics::Registry& r, AsyncOptions opts, Invoke invoke)
    : ioc_(ioc),
      js_(js),
      client_(client),
      opts_(opts),
      invoke_(std::move(invoke)),
      pool_(pool),
      m_{r.counter("mlfaas_async_enqueued_total", "Asynchronous calls accepted (stored in the queue)", {"function_name"}),
         r.counter("mlfaas_async_completed_total", "Asynchronous calls finished, by the function's status code",
                   {"function_name", "code"}),
         r.counter("mlfaas_async_retries_total", "Asynchronous calls delivered again after 429/502/503/504",
                   {"function_name"}),
         r.counter("mlfaas_async_dead_lettered_total", "Asynchronous calls moved to the dead-letter stream",
                   {"function_name", "reason"}),
         r.counter("mlfaas_async_callbacks_total", "Callbacks to X-Callback-Url: delivered, refused (4xx), failed",
                   {"function_name", "result"}),
         r.histogram("mlfaas_async_latency_seconds", "From a call being queued to its result (and callback) being done",
                     latency_buckets(), {"function_name"}),
         r.gauge("mlfaas_async_in_flight", "Asynchronous calls being invoked now", {"function_name"}),
         r.gauge("mlfaas_async_queued", "Asynchronous calls stored and waiting for their turn", {"function_name"})} {
  opts_.retry.validate();
  opts_.callback_retry.validate();
}

AsyncQueue::~AsyncQueue() { stop_intake(); }

void AsyncQueue::watch(const std::string& function, int max_inflight) {
  if (auto it = workers_.find(function); it != workers_.end()) {
    it->second->resize(max_inflight);
    return;
  }
  async::ConsumerOptions co;
  // The server never hands out more than this unacked: the function's concurrency limit, with room
  // for calls waiting out a retry delay being re-fetched.
  co.max_ack_pending = std::max(64, 4 * max_inflight);
  co.ack_wait = opts_.ack_wait;
  try {
    auto consumer = js_.consumer(function, subject_of(function), co);
    workers_[function] = std::make_unique<ConsumerLoop>(
        ioc_, std::move(consumer), max_inflight, "function " + function + " (async)",
        [this, function](std::shared_ptr<async::Delivery> d) { return process(function, std::move(d)); });
  } catch (const std::exception& e) {
    log::error("function {}: async calls will not be consumed: {}", function, e.what());
  }
}

void AsyncQueue::unwatch(const std::string& function) { workers_.erase(function); }

void AsyncQueue::refresh_gauges() {
  if (refreshing_ || workers_.empty()) return;
  refreshing_ = true;
  asio::co_spawn(ioc_, refresh(), asio::detached);
}

asio::awaitable<void> AsyncQueue::refresh() {
  std::vector<std::string> names;
  for (auto& [n, w] : workers_) names.push_back(n);
  std::function<std::vector<uint64_t>()> read = [this, names] {
    std::vector<uint64_t> out;
    for (auto& n : names) out.push_back(js_.consumer_stats(n).pending);
    return out;
  };
  try {
    const auto queued = co_await pool_.run<std::vector<uint64_t>>(read);
    for (size_t i = 0; i < names.size(); ++i) m_.queued.with({{"function_name", names[i]}}).set(double(queued[i]));
  } catch (const std::exception&) {
    // The queue is unreachable: the gauge keeps its last value; the fetch loops log it.
  }
  refreshing_ = false;
}

void AsyncQueue::stop_intake() {
  for (auto& [n, w] : workers_) w->stop();
}

asio::awaitable<void> AsyncQueue::process(std::string function, std::shared_ptr<async::Delivery> d) {
  const auto t0 = Clock::now();
  auto& in_flight = m_.in_flight.with({{"function_name", function}});
  in_flight.inc();
  const auto attempts = int(d->delivered_count());
  async::AsyncCall call;
  std::string problem;
  try {
    call = async::decode_call(d->data());
  } catch (const std::exception& e) {
    problem = e.what();
  }
  if (!problem.empty()) {
    const std::string no_id;
    co_await dead_letter(d, function, no_id, "undecodable", 0, problem);
    in_flight.dec();
    co_return;
  }

  // Tell the queue we are still at it while a long call runs (else it redelivers after ack_wait).
  auto working = keep_in_progress(ioc_, d, opts_.ack_wait / 3);

  http::Request req;
  req.method_string(call.method);
  req.target(call.target);
  req.version(11);
  for (auto& [k, v] : call.headers) req.insert(k, v);
  req.set("X-Call-Id", call.call_id);
  req.body() = call.body;
  req.prepare_payload();
  std::optional<http::Response> res = co_await invoke_(call.function, req);

  std::string outcome;
  if (!res) {
    *working = false;
    // Arguments named first: g++ 12 destroys a temporary inside a co_await expression twice.
    const std::string why = fmt::format("function '{}' is not deployed", call.function);
    co_await dead_letter(d, function, call.call_id, "not-deployed", 404, why);
  } else if (async::RetryPolicy::retryable_status(res->result_int()) && !opts_.retry.gives_up(attempts)) {
    *working = false;
    const auto delay = opts_.retry.delay_after(attempts);
    m_.retries.with({{"function_name", function}}).inc();
    std::function<int()> nak = [d, delay] {
      d->nak(delay);
      return 0;
    };
    try {
      co_await pool_.run<int>(nak);
    } catch (const std::exception& e) {
      log::warn("async call {}: nak: {} (it is delivered again after the ack wait)", call.call_id, e.what());
    }
  } else if (async::RetryPolicy::retryable_status(res->result_int())) {
    *working = false;
    const std::string why = fmt::format("{} attempts, the last answered {}: {}", attempts, res->result_int(),
                                        res->body().substr(0, 200));
    co_await dead_letter(d, function, call.call_id, "retries-exhausted", res->result_int(), why);
  } else {
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    bool delivered = call.callback_url.empty() || co_await call_back(call, *res, secs);
    *working = false;
    m_.completed.with({{"function_name", function}, {"code", std::to_string(res->result_int())}}).inc();
    if (!delivered) {
      const std::string why = fmt::format("the callback to {} failed", call.callback_url);
      co_await dead_letter(d, function, call.call_id, "callback-failed", res->result_int(), why);
    } else {
      std::function<int()> ack = [d] {
        d->ack();
        return 0;
      };
      try {
        co_await pool_.run<int>(ack);
      } catch (const std::exception& e) {
        log::warn("async call {}: ack: {} (it may run again)", call.call_id, e.what());
      }
      const double since_queued =
          double(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                     .count() - call.queued_at_ms) / 1000;
      m_.latency.with({{"function_name", function}}).observe(std::max(0.0, since_queued));
    }
  }
  in_flight.dec();
}

asio::awaitable<bool> AsyncQueue::call_back(const async::AsyncCall& call, const http::Response& res, double seconds) {
  http::HttpUrl url;
  try {
    url = http::parse_http_url(call.callback_url);
  } catch (const std::exception& e) {
    m_.callbacks.with({{"function_name", call.function}, {"result", "failed"}}).inc();
    co_return false;
  }
  asio::steady_timer t(ioc_);
  for (int attempt = 1;; ++attempt) {
    http::Request req{http::Verb::post, url.target, 11};
    req.set("X-Call-Id", call.call_id);
    req.set("X-Function-Status", std::to_string(res.result_int()));
    req.set("X-Function-Name", call.function);
    req.set("X-Duration-Seconds", fmt::format("{:.6f}", seconds));
    if (auto ct = res[http::Field::content_type]; !ct.empty()) req.set(http::Field::content_type, ct);
    if (auto rev = res["X-Mlfaas-Revision"]; !rev.empty()) req.set("X-Mlfaas-Revision", rev);
    // The call's trace goes on to the callback (W3C trace context).
    for (auto& [k, v] : call.headers)
      if (iequals(k, "traceparent")) req.set("traceparent", v);
    req.body() = res.body();
    auto r = co_await client_.request(url.endpoint, std::move(req), opts_.callback_timeout);
    const unsigned code = r.ok() ? r.response.result_int() : 0;
    if (r.ok() && code < 400) {
      m_.callbacks.with({{"function_name", call.function}, {"result", "delivered"}}).inc();
      co_return true;
    }
    if (r.ok() && code >= 400 && code < 500 && code != 429) {
      // The receiver refused it: sending it again would not change its mind.
      m_.callbacks.with({{"function_name", call.function}, {"result", "refused"}}).inc();
      log::warn("async call {}: the callback {} answered {}", call.call_id, call.callback_url, code);
      co_return true;
    }
    if (opts_.callback_retry.gives_up(attempt)) {
      m_.callbacks.with({{"function_name", call.function}, {"result", "failed"}}).inc();
      log::warn("async call {}: the callback {} failed {} times, last: {}", call.call_id, call.callback_url, attempt,
                r.ok() ? fmt::format("status {}", code) : r.message);
      co_return false;
    }
    t.expires_after(opts_.callback_retry.delay_after(attempt));
    co_await t.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> AsyncQueue::dead_letter(std::shared_ptr<async::Delivery> d, const std::string& function,
                                              const std::string& call_id, const char* reason, unsigned status,
                                              const std::string& error) {
  log::warn("async call {} of {}: dead-lettered ({}): {}", call_id, function, reason, error);
  m_.dead_lettered.with({{"function_name", function}, {"reason", reason}}).inc();
  const uint64_t seq = d->stream_sequence();
  async::Headers h = {{"Mlfaas-Reason", reason},
                      {"Mlfaas-Status", std::to_string(status)},
                      {"Mlfaas-Attempts", std::to_string(d->delivered_count())},
                      {"Mlfaas-Error", one_line(error)}};
  const std::string subject = dead_subject_of(function);
  const std::string msg_id = fmt::format("{}:dead:{}", call_id.empty() ? "unknown" : call_id, seq);
  const auto timeout = opts_.publish_timeout;
  std::function<int()> move = [this, d, h, subject, msg_id, timeout] {
    js_.publish(subject, d->data(), msg_id, timeout, h);
    d->ack();
    return 0;
  };
  try {
    co_await pool_.run<int>(move);
  } catch (const std::exception& e) {
    // Not acked: the queue delivers it again and the next attempt dead-letters it.
    log::error("async call {}: could not be dead-lettered: {}", call_id, e.what());
  }
}

asio::awaitable<uint64_t> AsyncQueue::enqueue(async::AsyncCall call) {
  const std::string subject = subject_of(call.function);
  const std::string wire = async::encode_call(call);
  const auto timeout = opts_.publish_timeout;
  std::function<uint64_t()> publish = [this, &subject, &wire, &call, timeout] {
    return js_.publish(subject, wire, call.call_id, timeout);
  };
  uint64_t seq = co_await pool_.run<uint64_t>(publish);
  m_.enqueued.with({{"function_name", call.function}}).inc();
  co_return seq;
}

asio::awaitable<json::object> AsyncQueue::stats() {
  std::vector<std::string> names;
  for (auto& [n, w] : workers_) names.push_back(n);
  std::function<json::object()> read = [this, names] {
    json::array fns;
    for (auto& n : names) {
      auto s = js_.consumer_stats(n);
      fns.push_back(json::object{{"name", n},
                                 {"queued", s.pending},
                                 {"inProgress", s.ack_pending},
                                 {"redelivered", s.redelivered},
                                 {"deadLetters", js_.count(async::kDeadLetterStream, dead_subject_of(n))}});
    }
    return json::object{{"functions", std::move(fns)},
                        {"deadLetters", js_.count(async::kDeadLetterStream, "")}};
  };
  co_return co_await pool_.run<json::object>(read);
}

asio::awaitable<json::array> AsyncQueue::dead_letters(std::string function, size_t limit) {
  std::function<json::array()> read = [this, function, limit] {
    json::array out;
    for (auto& m : js_.list(async::kDeadLetterStream,
                            function.empty() ? std::string(async::kDeadLetterSubjectPrefix) + ">" : dead_subject_of(function),
                            limit)) {
      json::object o{{"sequence", m.sequence}, {"deadLetteredAtMs", m.time_ms}};
      for (auto& [k, v] : m.headers) {
        if (k == "Mlfaas-Reason") o["reason"] = v;
        else if (k == "Mlfaas-Status") o["status"] = std::atoi(v.c_str());
        else if (k == "Mlfaas-Attempts") o["attempts"] = std::atoi(v.c_str());
        else if (k == "Mlfaas-Error") o["error"] = v;
      }
      try {
        auto c = async::decode_call(m.data);
        o["callId"] = c.call_id;
        o["function"] = c.function;
        o["method"] = c.method;
        o["target"] = c.target;
        o["callbackUrl"] = c.callback_url;
        o["queuedAtMs"] = c.queued_at_ms;
        o["bodyBytes"] = c.body.size();
      } catch (const std::exception& e) {
        o["function"] = m.subject.substr(async::kDeadLetterSubjectPrefix.size());
        o["undecodable"] = e.what();
      }
      out.push_back(std::move(o));
    }
    return out;
  };
  co_return co_await pool_.run<json::array>(read);
}

asio::awaitable<size_t> AsyncQueue::replay(std::string function, std::optional<uint64_t> sequence) {
  const auto timeout = opts_.publish_timeout;
  std::function<size_t()> run = [this, function, sequence, timeout] {
    size_t n = 0;
    const std::string filter =
        function.empty() ? std::string(async::kDeadLetterSubjectPrefix) + ">" : dead_subject_of(function);
    for (auto& m : js_.list(async::kDeadLetterStream, filter, 100'000)) {
      if (sequence && m.sequence != *sequence) continue;
      std::string fn = m.subject.substr(async::kDeadLetterSubjectPrefix.size()), call_id;
      try {
        call_id = async::decode_call(m.data).call_id;
      } catch (const std::exception&) {
        continue;  // undecodable: replaying it would only dead-letter it again
      }
      // A new message id: the queue may still remember the call's own id and drop it as a duplicate.
      js_.publish(subject_of(fn), m.data, fmt::format("{}:replay:{}", call_id, m.sequence), timeout);
      js_.delete_message(async::kDeadLetterStream, m.sequence);
      ++n;
    }
    return n;
  };
  co_return co_await pool_.run<size_t>(run);
}

}  // namespace mlfaas::platform
