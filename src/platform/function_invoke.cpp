// FunctionRuntime's request path: deadline, queue, forwarding to a replica, retries, cancellation,
// and the answer when no replica could take the request.
#include <fmt/format.h>

#include <charconv>

#include "common/access_log.h"
#include "common/random.h"
#include "common/strings.h"
#include "http/trace_context.h"
#include "http/responses.h"
#include "overload/deadline.h"
#include "platform/function_runtime.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
using http::Status;

namespace {

constexpr int kMaxForwardAttempts = 3;  // first try plus retries of failures that did no work

bool is_hop_by_hop(std::string_view name) {
  for (const char* h : {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
                        "proxy-authenticate", "proxy-authorization"})
    if (iequals(name, h)) return true;
  return false;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

asio::awaitable<http::Response> FunctionRuntime::invoke(http::Request& req, const CallerInfo& caller) {
  const auto arrival = Clock::now();
  // One deadline for the whole call: the function's timeout, or less if the client asks.
  const auto budget = overload::request_budget(spec_.timeout, [&](std::string_view name) {
    auto it = req.find(name);
    return it == req.end() ? std::string_view() : std::string_view(it->value());
  });
  const auto deadline = arrival + budget;
  const bool cold = ready_replicas() == 0;
  // W3C trace context: continue the caller's trace (or start one) with the gateway's own span;
  // the replica's parent is that span. A request id for the logs, kept if the caller sent one.
  const auto incoming = http::parse_traceparent(req["traceparent"]);
  const http::TraceContext trace = incoming ? incoming->child() : http::start_trace();
  req.set("traceparent", trace.header());
  std::string request_id(req["X-Request-Id"]);
  if (request_id.empty() || request_id.size() > 128) request_id = uuid_v4();
  req.set("X-Request-Id", request_id);
  Clock::time_point sent_at = arrival;
  ++invocations_;
  ++in_flight_;
  demand_.record_requests(arrival, 1);
  record_demand();
  m_.started->inc();

  // Forwarding headers (Knative's runtime contract promises them to the container).
  std::string xff(req["X-Forwarded-For"]);
  req.set("X-Forwarded-For", xff.empty() ? caller.remote_ip : xff + ", " + caller.remote_ip);
  if (req.find("X-Forwarded-Proto") == req.end()) req.set("X-Forwarded-Proto", "http");
  if (!caller.host.empty() && req.find("X-Forwarded-Host") == req.end()) req.set("X-Forwarded-Host", caller.host);
  req.set(http::Field::forwarded, fmt::format("for={};proto=http{}", caller.remote_ip,
                                              caller.host.empty() ? "" : ";host=" + caller.host));
  for (auto it = req.begin(); it != req.end();) {
    if (is_hop_by_hop(it->name_string())) it = req.erase(it);
    else ++it;
  }

  http::Response res;
  int replica_used = -1;
  std::optional<int> failed_on;  // the replica a retry should go around
  auto client_gone = [&] { return caller.cancellation && caller.cancellation->cancelled(); };
  for (int attempt = 0;; ++attempt) {
    // Fast path without a coroutine frame: a replica has room and nobody is waiting (a retry was
    // admitted before the waiters, so it does not queue behind them).
    std::optional<int> now_free =
        (queue_.empty() || failed_on) && !stopping_ ? replicas_.lb().acquire(failed_on) : std::nullopt;
    int rid = -1;
    if (now_free) {
      rid = *now_free;
    } else if (stopping_) {
      metrics_.rejected.with({{"function_name", spec_.name}, {"reason", "stopping"}}).inc();
      res = http::unavailable(fmt::format("function '{}' is being removed", spec_.name), opts_.retry_after_seconds);
      break;
    } else if (failure_ && ready_replicas() == 0) {
      // Its replicas keep exiting before they are ready: say why now instead of waiting.
      QueueOutcome o;
      o.kind = QueueOutcome::Kind::failed;
      o.why = failure_->message;
      res = queue_response(o);
      break;
    } else {
      if (ready_replicas() == 0 && !cold_start_since_) cold_start_since_ = Clock::now();
      QueueOutcome o = co_await queue_.acquire(deadline, req.body().size(), caller.cancellation);
      if (o.kind != QueueOutcome::Kind::granted) {
        res = queue_response(o);
        break;
      }
      rid = o.replica;
    }
    if (client_gone()) {  // left between being granted a replica and now
      release(rid);
      m_.abandoned->inc();
      res = http::error_response(Status(499), "the client went away");
      break;
    }
    const Replica* rep = replicas_.find(rid);
    if (!rep) continue;  // it exited between being picked and now: pick again
    http::Endpoint ep("127.0.0.1", uint16_t(rep->port));
    const auto sent = Clock::now();
    sent_at = sent;
    // The replica gets what is left of the budget (gRPC and Envoy propagate deadlines the same way).
    req.set(overload::kTimeoutHeader, std::to_string(overload::millis_left(deadline, sent)));
    auto left = std::chrono::milliseconds(overload::millis_left(deadline, sent));
    http::ClientResult r = co_await client_.send(ep, req, left, caller.cancellation);
    release(rid);
    replica_used = rid;
    if (r.ok()) {
      queue_.record_service(Clock::now() - sent, spec_.container_concurrency * std::max(1, ready_replicas()));
      res = std::move(r.response);
      break;
    }
    if (r.error == http::ErrorKind::cancelled) {
      // The client left mid-call: the upstream exchange was closed, so the replica drops it too.
      m_.abandoned->inc();
      m_.upstream_cancelled->inc();
      res = http::error_response(Status(499), "the client went away");
      break;
    }
    // The replica failed before answering anything (it died, or was never really listening):
    // the request did no work there, so it goes to another replica. If none has room it waits
    // like any request and may meet the dead, not yet reaped replica again: that connect is
    // refused at once and takes it out of routing, so a third attempt is allowed.
    const bool retryable = r.error == http::ErrorKind::connect ||
                           ((r.error == http::ErrorKind::write || r.error == http::ErrorKind::read) && r.nothing_received);
    if (retryable && attempt < kMaxForwardAttempts - 1 && Clock::now() < deadline) {
      m_.retries->inc();
      add_log(rid, fmt::format("[gateway] request failed on replica {} before any response ({}); retrying", rid, r.message));
      if (r.error == http::ErrorKind::connect) {
        replicas_.reprobe(rid);  // no traffic until it passes its probe again
        refresh_gauges();
      }
      failed_on = rid;
      continue;
    }
    if (r.error == http::ErrorKind::timeout)
      res = http::error_response(Status::gateway_timeout,
                                 fmt::format("function '{}' did not answer within its deadline ({} ms)", spec_.name,
                                             std::chrono::duration_cast<std::chrono::milliseconds>(budget).count()));
    else
      res = http::error_response(Status::bad_gateway, fmt::format("function '{}' failed: {}", spec_.name, r.message));
    break;
  }
  for (auto it = res.begin(); it != res.end();) {
    if (is_hop_by_hop(it->name_string())) it = res.erase(it);
    else ++it;
  }
  const double secs = seconds_since(arrival);
  char dur[32];
  auto [dend, dec] = std::to_chars(dur, dur + sizeof dur, secs, std::chars_format::fixed, 6);
  res.set("X-Duration-Seconds", std::string_view(dur, size_t(dend - dur)));
  if (replica_used >= 0) res.set("X-Mlfaas-Replica", std::to_string(replica_used));
  res.set("X-Request-Id", request_id);
  if (access_log_format() != AccessLogFormat::off)
    access_log(boost::json::object{{"level", "info"},
                                   {"component", "gateway"},
                                   {"method", std::string(req.method_string())},
                                   {"path", std::string(req.target())},
                                   {"status", res.result_int()},
                                   {"bytes", res.body().size()},
                                   {"duration_ms", secs * 1000},
                                   {"function", spec_.name},
                                   {"namespace", spec_.namespace_},
                                   {"revision", spec_.revision_name},
                                   {"replica", replica_used},
                                   {"queue_ms", std::chrono::duration<double, std::milli>(sent_at - arrival).count()},
                                   {"cold_start", cold},
                                   {"remote", caller.remote_ip},
                                   {"request_id", request_id},
                                   {"trace_id", trace.trace_id},
                                   {"span_id", trace.span_id},
                                   {"parent_span_id", incoming ? incoming->span_id : ""}});
  --in_flight_;
  const auto code = res.result_int();
  demand_.record_status(Clock::now(), int(code / 100), 1);
  record_demand();
  auto& series = by_code(code);
  series.invocations->inc();
  series.duration->observe(secs);
  series.revision_requests->inc();
  series.kn_count->inc();
  series.kn_latency->observe(secs * 1000);
  res.set("X-Mlfaas-Revision", spec_.revision_name);
  refresh_gauges();
  co_return res;
}

// What a request that got no replica is told: 503 + Retry-After for load and time (Knative's
// activator answers a full queue or a passed deadline the same way), 499 if its client left.
http::Response FunctionRuntime::queue_response(const QueueOutcome& o) {
  using Kind = QueueOutcome::Kind;
  if (o.kind == Kind::dropped && o.drop == overload::DropReason::abandoned) {
    m_.abandoned->inc();
    return http::error_response(Status(499), "the client went away");
  }
  if (o.kind == Kind::failed) {
    metrics_.rejected.with({{"function_name", spec_.name}, {"reason", "failing"}}).inc();
    return http::unavailable(o.why, opts_.retry_after_seconds);
  }
  const char* reason = o.kind == Kind::rejected ? overload::rejection_name(o.rejection)
                       : o.kind == Kind::dropped ? overload::drop_name(o.drop)
                                                 : "stopping";
  metrics_.rejected.with({{"function_name", spec_.name}, {"reason", reason}}).inc();
  if (o.kind == Kind::rejected && o.rejection == overload::Rejection::expired)
    return http::error_response(Status::gateway_timeout, "the request's deadline had passed before it could be forwarded");
  std::string why;
  switch (o.kind) {
    case Kind::rejected:
      why = o.rejection == overload::Rejection::deadline
                ? fmt::format("function '{}' cannot answer within the request's deadline at its current load", spec_.name)
            : o.rejection == overload::Rejection::shed
                ? fmt::format("function '{}' is overloaded ({} requests waiting for a replica)", spec_.name, queue_.size())
                : fmt::format("function '{}' has {} requests ({} MiB) waiting for a replica", spec_.name, queue_.size(),
                              queue_.bytes() >> 20);
      break;
    case Kind::dropped:
      why = o.drop == overload::DropReason::shed
                ? fmt::format("function '{}' is overloaded: no replica was free within {:.0f} ms", spec_.name, o.waited_ms)
            : ready_replicas() == 0
                ? fmt::format("no replica of function '{}' became available within the request's deadline ({:.0f} ms)",
                              spec_.name, o.waited_ms)
                : fmt::format("function '{}' was busy past the request's deadline ({:.0f} ms)", spec_.name, o.waited_ms);
      break;
    default:
      why = fmt::format("function '{}' is being removed", spec_.name);
  }
  return http::unavailable(why + "; retry later", opts_.retry_after_seconds);
}

void FunctionRuntime::release(int replica) {
  replicas_.release(replica);
  queue_.pump();
}

}  // namespace mlfaas::platform
