#include "function/classifier_service.h"

#include <fmt/format.h>

#include <charconv>

#include "common/log.h"
#include "common/access_log.h"
#include "function/classify_response.h"
#include "http/trace_context.h"
#include "function/event_emitter.h"
#include "function/image_input.h"
#include "function/image_request.h"
#include "function/task_status.h"
#include "http/async_result.h"
#include "http/query.h"
#include "http/responses.h"
#include "image/decode.h"
#include "metrics/text_format.h"
#include "overload/deadline.h"

namespace mlfaas::function {

using http::Status;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

bool is_classify_path(std::string_view p) { return p == "/classify" || p == "/predict" || p == "/"; }

}  // namespace

ClassifierService::ClassifierService(model::Model& model, WorkerPool& pool, metrics::Registry& registry,
                                     ServiceOptions opts)
    : model_(model),
      pool_(pool),
      opts_(opts),
      metrics_(registry),
      v2_(model, [this](std::vector<InferenceTask> t, RequestScope s) { return infer(std::move(t), std::move(s)); },
          [this] { return ready(); },
          opts.max_images_per_request) {
  registry.gauge_callback("mlfaas_inference_queue_depth", "Images waiting for a worker",
                          [this] { return double(pool_.queue_depth()); });
  registry.gauge_callback("mlfaas_inference_running_batches", "Batches being executed",
                          [this] { return double(pool_.running_batches()); });
  registry.gauge("mlfaas_model_info", "The model being served", {"name", "version"})
      .with({{"name", model.manifest.name}, {"version", model.manifest.version}})
      .set(1);
  registry.gauge("mlfaas_model_load_seconds", "Time to load the model (parse, optimize)").get().set(model.load_ms / 1000);
  register_process_metrics(registry);
  nv_.labels = {{"model", model.manifest.name}, {"version", model.manifest.version}};
  auto nv = [&](const char* name, const char* help) {
    return &registry.counter(name, help, {"model", "version"}).with(nv_.labels);
  };
  nv_.success = nv("nv_inference_request_success", "Number of successful inference requests, all batch sizes (Triton)");
  nv_.count = nv("nv_inference_count", "Number of inferences performed (Triton)");
  nv_.exec_count = nv("nv_inference_exec_count", "Number of model executions performed (Triton)");
  nv_.request_us = nv("nv_inference_request_duration_us", "Cumulative inference request duration in microseconds (Triton)");
  nv_.queue_us = nv("nv_inference_queue_duration_us", "Cumulative inference queuing duration in microseconds (Triton)");
  nv_.compute_us = nv("nv_inference_compute_infer_duration_us", "Cumulative compute inference duration in microseconds (Triton)");
  nv_.failure = &registry.counter("nv_inference_request_failure", "Number of failed inference requests, all batch sizes (Triton)",
                                  {"model", "version", "reason"});
  registry.gauge_callback("nv_inference_pending_request_count", "Instantaneous number of pending requests awaiting execution (Triton)",
                          [this] { return double(pool_.queue_depth()); }, nv_.labels);
  pool_.on_batch = [this](const BatchStats& b) {
    metrics_.compute_seconds.observe(b.inference_seconds);
    metrics_.batch_size.observe(b.size);
    metrics_.exec_count.inc();
    metrics_.inference_count.inc(b.size);
    nv_.exec_count->inc();
    nv_.count->inc(b.size);
    nv_.compute_us->inc(b.inference_seconds * 1e6);
  };
}

void ClassifierService::set_ready(bool r) {
  ready_ = r && !draining_;
  metrics_.ready.set(ready_ ? 1 : 0);
}

http::Handler ClassifierService::handler() {
  return [this](http::Request& req, http::RequestContext& ctx) { return handle(req, ctx); };
}

boost::asio::awaitable<http::Response> ClassifierService::handle(http::Request& req, http::RequestContext& ctx) {
  const auto start = ctx.received;
  ++in_flight_;
  metrics_.in_flight.inc();
  std::string route_label = "other";
  http::Response res;
  std::string path;
  try {
    path = http::parse_query(req.target()).path;
  } catch (const http::BadRequestTarget& e) {
    res = http::error_response(Status::bad_request, std::string("invalid request target: ") + e.what());
  }
  if (!path.empty()) res = co_await route(req, ctx, path, route_label);
  --in_flight_;
  metrics_.in_flight.dec();
  metrics_.record_request(route_label, std::string(req.method_string()), res.result_int(), seconds_since(start));
  const bool probe = route_label == "/healthz" || route_label == "/readyz" || route_label == "/_/health" ||
                     route_label == "/_/ready" || route_label == "/metrics";
  if (!probe && access_log_format() != AccessLogFormat::off) {
    // The gateway's span is this request's parent; the function's own span is new.
    const auto parent = http::parse_traceparent(req["traceparent"]);
    const auto trace = parent ? parent->child() : http::start_trace();
    access_log(boost::json::object{{"level", "info"},
                                   {"component", "function"},
                                   {"method", std::string(req.method_string())},
                                   {"path", std::string(req.target())},
                                   {"status", res.result_int()},
                                   {"bytes", res.body().size()},
                                   {"duration_ms", seconds_since(start) * 1000},
                                   {"revision", std::string(std::getenv("K_REVISION") ? std::getenv("K_REVISION") : "")},
                                   {"request_id", std::string(req["X-Request-Id"])},
                                   {"trace_id", trace.trace_id},
                                   {"span_id", trace.span_id},
                                   {"parent_span_id", parent ? parent->span_id : ""}});
  }
  co_return res;
}

http::Response ClassifierService::status_response(bool ok, const char* what) {
  const char* state = ok ? "ok" : draining_ ? "draining" : "loading";
  auto r = http::json_response(ok ? Status::ok : Status::service_unavailable,
                               fmt::format(R"({{"status":"{}","check":"{}"}})", state, what));
  return r;
}

boost::asio::awaitable<http::Response> ClassifierService::route(http::Request& req, http::RequestContext& ctx,
                                                                const std::string& path, std::string& label) {
  const auto m = req.method();
  const bool get = m == http::Verb::get || m == http::Verb::head;

  if (is_classify_path(path)) {
    label = path;
    if (m != http::Verb::post) co_return http::method_not_allowed("POST");
    if (opts_.max_inflight > 0 && in_flight_.load() > size_t(opts_.max_inflight)) {
      metrics_.rejected.with({{"reason", "max_inflight"}}).inc();
      auto r = http::error_response(Status::too_many_requests,
                                    fmt::format("concurrent request limit ({}) reached", opts_.max_inflight));
      r.set(http::Field::retry_after, std::to_string(opts_.retry_after_seconds));
      co_return r;
    }
    co_return co_await classify(req, ctx);
  }
  if (KServeV2::is_v2_path(path)) {
    label = KServeV2::route_label(path);
    co_return co_await v2_.handle(req, path, scope_of(req, ctx));
  }
  if (path == "/healthz" || path == "/readyz" || path == "/_/health" || path == "/_/ready" || path == "/metrics") {
    label = path;
    if (!get) co_return http::method_not_allowed("GET, HEAD");
    if (path == "/healthz") co_return status_response(true, "live");
    if (path == "/readyz") co_return status_response(ready(), "ready");
    if (path == "/_/health") {
      // of-watchdog: healthy once it can serve (the lock file in the original); plain-text OK.
      co_return http::text_response(ready() ? Status::ok : Status::service_unavailable, ready() ? "OK" : "not ready");
    }
    if (path == "/_/ready") {
      if (!ready()) co_return http::text_response(Status::service_unavailable, "not ready");
      if (opts_.max_inflight > 0 && in_flight_.load() > size_t(opts_.max_inflight))
        co_return http::text_response(Status::too_many_requests, "concurrent request limit reached");
      co_return http::text_response(Status::ok, "OK");
    }
    co_return http::text_response(Status::ok, metrics_.registry.render(), metrics::kTextContentType);
  }
  co_return http::error_response(
      Status::not_found,
      fmt::format("no route for {} {}; routes: POST /classify, /predict, /; GET /healthz, /readyz, /_/health, "
                  "/_/ready, /metrics; KServe V2 under /v2",
                  std::string(req.method_string()), path));
}

RequestScope ClassifierService::scope_of(const http::Request& req, const http::RequestContext& ctx) const {
  // The budget starts when the request had been read; a caller's own (shorter) budget wins.
  const auto budget = overload::request_budget(opts_.request_timeout, [&](std::string_view name) {
    auto it = req.find(name);
    return it == req.end() ? std::string_view() : std::string_view(it->value());
  });
  return RequestScope{ctx.received + budget, ctx.cancellation ? ctx.cancellation->flag() : nullptr};
}

boost::asio::awaitable<std::vector<TaskResult>> ClassifierService::infer(std::vector<InferenceTask> tasks,
                                                                          RequestScope scope) {
  if (tasks.empty()) co_return std::vector<TaskResult>{};
  for (auto& t : tasks) {
    t.deadline = scope.deadline;
    t.cancelled = scope.cancelled;
    t.sheddable = tasks.size() == 1;  // a batch was admitted as a whole
  }
  co_return co_await http::await_completion<std::vector<TaskResult>>(
      [this, &tasks](http::Completion<std::vector<TaskResult>> done) {
        struct Gather {
          Gather(size_t n, http::Completion<std::vector<TaskResult>> d) : results(n), remaining(n), done(std::move(d)) {}
          std::vector<TaskResult> results;
          std::atomic<size_t> remaining;
          http::Completion<std::vector<TaskResult>> done;
        };
        auto g = std::make_shared<Gather>(tasks.size(), std::move(done));
        auto finish_one = [g](size_t k, TaskResult&& r) {
          g->results[k] = std::move(r);
          if (g->remaining.fetch_sub(1) == 1) g->done(std::move(g->results));
        };
        for (size_t k = 0; k < tasks.size(); ++k) {
          const uint64_t bytes = tasks[k].encoded.size();
          pool_.submit(std::move(tasks[k]), [finish_one, k](TaskResult&& r) { finish_one(k, std::move(r)); }, bytes);
        }
      });
}

boost::asio::awaitable<http::Response> ClassifierService::classify(http::Request& req, http::RequestContext& ctx) {
  int top_k = opts_.default_top_k;
  if (auto q = http::parse_query(req.target()).get("top_k")) {
    int v = 0;
    auto [p, ec] = std::from_chars(q->data(), q->data() + q->size(), v);
    if (ec != std::errc() || p != q->data() + q->size() || v < 1 || v > model_.classes)
      co_return http::error_response(Status::bad_request,
                                     fmt::format("top_k must be an integer from 1 to {}, got '{}'", model_.classes, *q));
    top_k = v;
  }
  auto parsed = extract_images(req, opts_.max_images_per_request);
  if (auto* err = std::get_if<RequestError>(&parsed)) co_return http::error_response(err->status, err->message);
  auto& list = std::get<ImageList>(parsed);

  // Header checks here (cheap) so bad uploads never occupy a worker.
  for (size_t k = 0; k < list.images.size(); ++k) {
    try {
      image::probe({reinterpret_cast<const uint8_t*>(list.images[k].data()), list.images[k].size()}, opts_.max_pixels);
    } catch (const image::DecodeError& e) {
      TaskResult r;
      set_decode_failure(e, r);  // the one mapping: function/task_status.h
      metrics_.failures.with({{"reason", failure_reason(r)}}).inc();
      co_return failure_response(r, list.images.size() > 1 ? fmt::format("image {}: ", k) : "", opts_.retry_after_seconds);
    }
  }

  std::vector<InferenceTask> tasks(list.images.size());
  for (size_t k = 0; k < tasks.size(); ++k) tasks[k].encoded = list.images[k];
  std::vector<TaskResult> results = co_await infer(std::move(tasks), scope_of(req, ctx));

  for (size_t k = 0; k < results.size(); ++k) {
    auto& r = results[k];
    if (r.status == TaskStatus::ok) {
      metrics_.queue_seconds.observe(r.queue_ms / 1000);
      nv_.queue_us->inc(r.queue_ms * 1000);
      if (r.decode_ms > 0) metrics_.decode_seconds.observe(r.decode_ms / 1000);
      if (r.preprocess_ms > 0) metrics_.preprocess_seconds.observe(r.preprocess_ms / 1000);
    }
  }
  for (size_t k = 0; k < results.size(); ++k) {
    auto& r = results[k];
    if (r.status == TaskStatus::ok) continue;
    // Counted once per request, by the first failure.
    if (r.status == TaskStatus::abandoned) metrics_.abandoned.inc();
    else if (r.status == TaskStatus::overloaded || r.status == TaskStatus::timeout)
      metrics_.rejected.with({{"reason", failure_reason(r)}}).inc();
    else metrics_.failures.with({{"reason", failure_reason(r)}}).inc();
    nv_.failure->with({nv_.labels[0], nv_.labels[1], {"reason", failure_reason(r)}}).inc();
    co_return failure_response(r, results.size() > 1 ? fmt::format("image {}: ", k) : "", opts_.retry_after_seconds);
  }
  const double total_ms = std::chrono::duration<double, std::milli>(Clock::now() - ctx.received).count();
  nv_.success->inc(double(results.size()));
  nv_.request_us->inc(total_ms * 1000 * double(results.size()));
  std::string body;
  body.reserve(512 * results.size());
  if (list.batch_form) body += '[';
  for (size_t k = 0; k < results.size(); ++k) {
    if (k) body += ',';
    const size_t start = body.size();
    append_classification_json(body, model_, results[k], top_k, total_ms);
    // The event's data: this image's classification; it continues the request's trace.
    if (emitter_) emitter_->emit(body.substr(start), std::string(req["traceparent"]));
  }
  if (list.batch_form) body += ']';
  co_return http::json_response(Status::ok, std::move(body));
}

}  // namespace mlfaas::function
