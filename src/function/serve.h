#pragma once
// `mlfaas serve`: the classifier as a long-running HTTP service (Knative container contract and
// OpenFaaS watchdog HTTP contract). Lifecycle: load model -> listen (not ready) -> warm up ->
// ready; SIGTERM -> not ready, stop accepting, finish in-flight requests, exit 0 within the grace
// period.
#include <chrono>
#include <optional>
#include <string>

#include "function/batch_scheduler.h"
#include "function/classifier_service.h"
#include "overload/queue_policy.h"

namespace mlfaas::function {

struct ServeOptions {
  std::optional<std::string> model_dir;
  std::string address = "0.0.0.0";
  int port = 8080;
  int io_threads = 1;
  int cpus = 0;     // cores to use; 0 = $MLFAAS_CPUS, else the CPUs this process may use
  int workers = 0;  // 0 = one per core
  SchedulerConfig scheduler;
  overload::QueueLimits queue;  // the inference queue's time management (max_items: scheduler)
  ServiceOptions service;
  uint64_t max_body_bytes = 16 << 20;
  bool jpeg_dct_scaling = true;
  std::chrono::milliseconds drain_delay{0};      // stay up, unready, before closing the listener
  std::chrono::milliseconds grace_period{25'000}; // then give in-flight requests this long
  // Prediction events (Knative K_SINK): "" = $K_SINK, none without it. Type, source and mode
  // default to $MLFAAS_EVENT_TYPE, ml.prediction / /mlfaas/$K_REVISION / $MLFAAS_SINK_MODE (batch|binary).
  std::string sink, event_type, sink_mode;
};

// Returns the process exit code.
int run_serve(ServeOptions opts);

}  // namespace mlfaas::function
