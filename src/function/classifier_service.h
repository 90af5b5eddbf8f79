#pragma once
// The classifier function's HTTP surface: routes, input handling, readiness, metrics.
//   POST /classify (canonical), /predict (the study's Knative client), / (its OpenFaaS client)
//   GET  /healthz /readyz /_/health /_/ready (OpenFaaS watchdog) /metrics
//   KServe V2 under /v2
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

#include "function/kserve_v2.h"
#include "function/service_metrics.h"
#include "function/worker_pool.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "model/model.h"

namespace mlfaas::function {

class EventEmitter;

struct ServiceOptions {
  size_t max_images_per_request = 64;
  uint64_t max_pixels = 50'000'000;
  // The time budget of a request (OpenFaaS's exec_timeout default), lowered by the caller's
  // X-Mlfaas-Timeout-Ms / grpc-timeout (overload/deadline.h); past it, 504 without inference.
  std::chrono::milliseconds request_timeout{30'000};
  int max_inflight = 0;        // 0 = unlimited; beyond it -> 429 (watchdog max_inflight)
  int retry_after_seconds = 1;
  int default_top_k = 5;
};

class ClassifierService {
 public:
  ClassifierService(model::Model& model, WorkerPool& pool, metrics::Registry& registry, ServiceOptions opts);

  boost::asio::awaitable<http::Response> handle(http::Request& req, http::RequestContext& ctx);
  http::Handler handler();

  void set_ready(bool r);
  // Every classification is also emitted as an event (off the request path); null = none.
  void set_emitter(EventEmitter* e) { emitter_ = e; }
  bool ready() const { return ready_.load(); }
  void set_draining() { draining_ = true; set_ready(false); }
  size_t in_flight() const { return in_flight_.load(); }

  // Runs tasks through the pool and waits for all of them (used by classify and KServe V2).
  boost::asio::awaitable<std::vector<TaskResult>> infer(std::vector<InferenceTask> tasks, RequestScope scope);

 private:
  boost::asio::awaitable<http::Response> route(http::Request& req, http::RequestContext& ctx, const std::string& path,
                                               std::string& route_label);
  boost::asio::awaitable<http::Response> classify(http::Request& req, http::RequestContext& ctx);
  http::Response status_response(bool ok, const char* what);
  RequestScope scope_of(const http::Request& req, const http::RequestContext& ctx) const;

  model::Model& model_;
  WorkerPool& pool_;
  ServiceOptions opts_;
  ServiceMetrics metrics_;
  KServeV2 v2_;
  std::atomic<bool> ready_{false};
  EventEmitter* emitter_ = nullptr;
  // Triton's metric names ({model, version}), so Triton dashboards read this service too.
  struct Triton {
    metrics::Counter *success, *count, *exec_count, *request_us, *queue_us, *compute_us;
    metrics::CounterFamily* failure;
    metrics::Labels labels;
  } nv_;
  std::atomic<bool> draining_{false};
  std::atomic<size_t> in_flight_{0};
};

}  // namespace mlfaas::function
