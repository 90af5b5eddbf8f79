#pragma once
// The classifier's Prometheus metrics. Names follow Prometheus conventions; the inference ones
// mirror Triton's (request/queue/compute durations, inference count vs execution count).
#include <string>

#include "metrics/registry.h"

namespace mlfaas::function {

struct ServiceMetrics {
  explicit ServiceMetrics(metrics::Registry& r);

  metrics::Registry& registry;
  metrics::CounterFamily& requests;         // {route, method, code}
  metrics::HistogramFamily& request_seconds;  // {route}
  metrics::Gauge& in_flight;
  metrics::Histogram& queue_seconds;
  metrics::Histogram& compute_seconds;  // one sample per batch execution
  metrics::Histogram& decode_seconds;
  metrics::Histogram& preprocess_seconds;
  metrics::Histogram& batch_size;
  metrics::Counter& inference_count;  // images inferred
  metrics::Counter& exec_count;       // executions (batches)
  metrics::CounterFamily& failures;   // {reason}
  metrics::CounterFamily& rejected;   // {reason}: requests turned away by the queue or the limits
  metrics::Counter& abandoned;        // requests whose client left while they waited
  metrics::Counter& wasted;           // images inferred for a client that had left
  metrics::Gauge& ready;

  void record_request(const std::string& route, const std::string& method, unsigned code, double seconds);
};

// Process-level metrics every service exposes (RSS, CPU seconds, start time, open fds).
void register_process_metrics(metrics::Registry& r);

}  // namespace mlfaas::function
