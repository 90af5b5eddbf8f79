// The gateway's asynchronous side (OpenFaaS's contract, on the durable AsyncQueue):
//   /async-function/{name}[.{namespace}][/path]   any method: 202 + X-Call-Id once the call is stored
//   /system/queue                                 GET: queued / in progress / dead letters per function
//   /system/queue/dead-letters?function=&limit=   GET: the dead letters, oldest first
//   /system/queue/replay                          POST {"function"?, "sequence"?}: queue them again
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/log.h"
#include "http/query.h"
#include "http/responses.h"
#include "http/trace_context.h"
#include "http/url.h"
#include "platform/gateway.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Status;

namespace {

// Headers that describe one hop, not the call: never stored or replayed.
bool hop_by_hop(std::string_view name) {
  static const char* hop[] = {"connection", "keep-alive", "te", "transfer-encoding", "upgrade", "content-length",
                              "proxy-connection", "expect", "x-call-id"};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return std::find(std::begin(hop), std::end(hop), lower) != std::end(hop);
}

// A caller-chosen X-Call-Id makes enqueueing idempotent (the queue drops a repeat within 2 min).
bool valid_call_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

int Gateway::async_max_inflight(const FunctionSpec& spec) const {
  // OpenFaaS's watchdog limit (max_inflight) is the function's own concurrency: the queue respects it.
  for (auto* m : {&spec.env, &spec.annotations, &spec.labels})
    for (const char* key : {"max_inflight", "mlfaas.dev/async-max-inflight", "com.openfaas.queue.max_inflight"})
      if (auto it = m->find(key); it != m->end()) {
        int v = 0;
        auto r = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
        if (r.ec == std::errc() && v > 0) return v;
      }
  return async_ ? async_->options().default_max_inflight : 1;
}

void Gateway::attach_async(async::JetStream& js, AsyncOptions opts, EventingOptions eventing) {
  auto invoke = [this](const std::string& fn, http::Request& req) -> asio::awaitable<std::optional<http::Response>> {
    auto* svc = find(fn);
    if (!svc) co_return std::nullopt;
    CallerInfo caller;
    caller.remote_ip = "127.0.0.1";
    caller.host = std::string(req[http::Field::host]);
    co_return co_await svc->pick()->invoke(req, caller);
  };
  async_ = std::make_unique<AsyncQueue>(ioc_, js, blocking_, client_, registry_, opts, invoke);
  for (auto& [name, fn] : functions_) async_->watch(name, async_max_inflight(fn->spec()));
  eventing.ack_wait = opts.ack_wait;
  eventing_ = std::make_unique<Eventing>(ioc_, js, blocking_, client_, registry_, eventing, invoke,
                                         [this] { return self_url_; });
}

void Gateway::stop_async_intake() {
  if (async_) async_->stop_intake();
  if (eventing_) eventing_->stop_intake();
}

uint64_t Gateway::async_body_limit() const {
  // The queue's message limit, less room for the call's metadata line.
  return async_ ? uint64_t(std::max<int64_t>(1, async_->options().max_payload - (64 << 10))) : uint64_t(1) << 20;
}

asio::awaitable<http::Response> Gateway::async_invoke(http::Request& req, const FunctionPath& fp) {
  if (!async_)
    co_return http::unavailable(fmt::format("async invocations are unavailable: {}", async_unavailable_), 5);
  auto* fn = find(fp.name);
  // OpenFaaS answers 202 even for a function that does not exist (openfaas/faas#1298): not here.
  if (!fn || (!fp.ns.empty() && fp.ns != fn->namespace_()))
    co_return http::error_response(Status::not_found, fmt::format("function '{}' is not deployed", fp.name));
  if (blocking_.pending() >= kMaxPendingPublishes)
    co_return http::unavailable("the async queue is saturated; send the call again", 1);
  async::AsyncCall call;
  call.function = fp.name;
  call.method = std::string(req.method_string());
  call.target = fp.target;
  if (auto cb = req["X-Callback-Url"]; !cb.empty()) {
    try {
      http::parse_http_url(cb);
    } catch (const std::exception& e) {
      co_return http::error_response(Status::bad_request, fmt::format("X-Callback-Url: {}", e.what()));
    }
    call.callback_url = std::string(cb);
  }
  if (auto id = req["X-Call-Id"]; !id.empty()) {
    if (!valid_call_id(id))
      co_return http::error_response(Status::bad_request,
                                     "X-Call-Id: at most 128 letters, digits, '-', '_', '.' or ':'");
    call.call_id = std::string(id);
  } else {
    call.call_id = async::new_call_id();
  }
  // The call's trace starts here unless the caller's request carried one (W3C trace context): the
  // function, the callback and the caller (in the 202) all see it.
  const auto incoming = http::parse_traceparent(req["traceparent"]);
  const std::string traceparent = (incoming ? incoming->child() : http::start_trace()).header();
  req.set("traceparent", traceparent);
  for (auto& h : req)
    if (!hop_by_hop(h.name_string())) call.headers.emplace_back(std::string(h.name_string()), std::string(h.value()));
  call.body = std::move(req.body());
  call.queued_at_ms = unix_ms();
  const std::string id = call.call_id;
  try {
    co_await async_->enqueue(std::move(call));
  } catch (const std::exception& e) {
    log::warn("async call to {}: not queued: {}", fp.name, e.what());
    co_return http::unavailable(fmt::format("the async queue could not store the call: {}", e.what()), 1);
  }
  auto r = http::json_response(Status::accepted,
                               json::serialize(json::object{{"callId", id}, {"function", fp.name}, {"queued", true}}));
  r.set("X-Call-Id", id);
  r.set("traceparent", traceparent);
  co_return r;
}

asio::awaitable<http::Response> Gateway::queue_api(http::Request& req, const std::string& path) {
  if (!async_)
    co_return http::unavailable(fmt::format("async invocations are unavailable: {}", async_unavailable_), 5);
  const auto m = req.method();
  const bool get = m == http::Verb::get || m == http::Verb::head;
  try {
    if (path == "/system/queue") {
      if (!get) co_return http::method_not_allowed("GET, HEAD");
      co_return http::json_response(Status::ok, json::serialize(co_await async_->stats()));
    }
    if (path == "/system/queue/dead-letters") {
      if (!get) co_return http::method_not_allowed("GET, HEAD");
      auto q = http::parse_query(req.target());
      size_t limit = 1000;
      if (auto l = q.get("limit")) std::from_chars(l->data(), l->data() + l->size(), limit);
      std::string fn(q.get("function").value_or(""));
      co_return http::json_response(Status::ok, json::serialize(co_await async_->dead_letters(fn, limit)));
    }
    if (path == "/system/queue/replay") {
      if (m != http::Verb::post) co_return http::method_not_allowed("POST");
      boost::system::error_code ec;
      auto v = req.body().empty() ? json::value(json::object{}) : json::parse(req.body(), ec);
      if (ec || !v.is_object())
        co_return http::error_response(Status::bad_request, R"(expected a JSON body {"function": NAME, "sequence": N} (both optional))");
      auto& o = v.as_object();
      std::string fn;
      std::optional<uint64_t> seq;
      if (auto* f = o.if_contains("function"); f && f->is_string()) fn = std::string(f->as_string());
      if (auto* s = o.if_contains("sequence"); s && s->is_number()) seq = s->to_number<uint64_t>();
      size_t n = co_await async_->replay(fn, seq);
      co_return http::json_response(Status::ok, json::serialize(json::object{{"replayed", n}}));
    }
  } catch (const std::exception& e) {
    co_return http::unavailable(fmt::format("the async queue: {}", e.what()), 1);
  }
  co_return http::error_response(Status::not_found, fmt::format("no route for {}", path));
}

}  // namespace mlfaas::platform
