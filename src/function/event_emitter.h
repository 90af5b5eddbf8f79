#pragma once
// The classifier as an event producer (Knative's K_SINK contract): every classification becomes a
// CloudEvent (type ml.prediction by default; data = the classification JSON: predicted class,
// confidence, top-k, timings, model) sent to the sink off the request path. emit() never blocks and
// never fails the request: events wait in a bounded buffer and a sender thread posts them, in
// batches (CloudEvents batched mode) or one by one in binary mode; a full buffer drops the newest
// and a sink that is down costs only failed sends, both counted in metrics.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "metrics/registry.h"

namespace mlfaas::function {

struct EmitterOptions {
  std::string sink;                 // http:// URL ($K_SINK)
  std::string type = "ml.prediction";
  std::string source = "/mlfaas/classifier";
  std::string ce_overrides;         // $K_CE_OVERRIDES: {"extensions": {...}}
  bool batch = false;               // batched mode (mlfaas brokers); binary mode otherwise (any receiver)
  size_t max_buffer = 10'000;       // events waiting; beyond, new ones are dropped
  size_t max_batch = 100;
  std::chrono::milliseconds timeout{2'000};  // per send
};

class EventEmitter {
 public:
  // Throws std::invalid_argument for a sink that is not an http:// URL.
  EventEmitter(EmitterOptions opts, metrics::Registry& registry);
  ~EventEmitter();  // sends what is buffered for up to 2 s, then stops
  EventEmitter(const EventEmitter&) = delete;
  EventEmitter& operator=(const EventEmitter&) = delete;

  // One event with `json_data` as its data (and the request's W3C traceparent, CloudEvents'
  // distributed tracing extension). Thread-safe, never blocks on the network.
  void emit(std::string json_data, const std::string& traceparent = "");
  const EmitterOptions& options() const { return opts_; }

 private:
  void run();
  struct Impl;
  EmitterOptions opts_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace mlfaas::function
