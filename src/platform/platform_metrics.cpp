#include "platform/platform_metrics.h"

namespace mlfaas::platform {

namespace {
std::vector<double> seconds_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}
}  // namespace

PlatformMetrics::PlatformMetrics(metrics::Registry& r)
    : registry(r),
      invocations(r.counter("gateway_function_invocation_total", "Function invocations by status code",
                            {"function_name", "code"})),
      duration(r.histogram("gateway_functions_seconds", "Function invocation time through the gateway",
                           seconds_buckets(), {"function_name", "code"})),
      service_count(r.gauge("gateway_service_count", "Replicas of the function (desired)", {"function_name"})),
      started(r.counter("gateway_function_invocation_started", "Function invocations started", {"function_name"})),
      inflight_openfaas(r.gauge("gateway_function_invocation_inflight",
                                "Invocations in the gateway, queued or running", {"function_name"})),
      queue_depth(r.gauge("mlfaas_function_queue_depth", "Requests waiting for a replica with free capacity",
                          {"function_name"})),
      desired(r.gauge("mlfaas_function_desired_replicas", "Replicas the autoscaler wants", {"function_name"})),
      ready(r.gauge("mlfaas_function_ready_replicas", "Replicas passing readiness and taking traffic",
                    {"function_name"})),
      cold_starts(r.counter("mlfaas_function_cold_starts_total", "Scale-ups from zero replicas", {"function_name"})),
      cold_start_seconds(r.histogram("mlfaas_function_cold_start_seconds",
                                     "From a request arriving at zero replicas to the first replica being ready",
                                     seconds_buckets(), {"function_name"})),
      restarts(r.counter("mlfaas_function_replica_restarts_total", "Replicas that exited unexpectedly",
                         {"function_name"})),
      retries(r.counter("mlfaas_function_upstream_retries_total",
                        "Requests re-sent to another replica because theirs failed before answering",
                        {"function_name"})),
      rejected(r.counter("mlfaas_function_rejected_total",
                         "Requests answered 503 by the gateway without a replica: queue_full, too_many_bytes, deadline "
                         "(could not finish in time), shed (waited too long while overloaded), expired, stopping",
                         {"function_name", "reason"})),
      abandoned(r.counter("mlfaas_function_abandoned_total",
                          "Requests whose client left before the answer (dropped from the queue or cancelled upstream)",
                          {"function_name"})),
      upstream_cancelled(r.counter("mlfaas_function_upstream_cancelled_total",
                                   "Forwarded requests whose upstream exchange was closed because the client left",
                                   {"function_name"})),
      revision_requests(r.counter("mlfaas_revision_requests_total", "Requests answered by each revision, by status code",
                                  {"function_name", "revision", "code"})),
      revision_desired(r.gauge("mlfaas_revision_desired_replicas", "Replicas the autoscaler wants for the revision",
                               {"function_name", "revision"})),
      revision_ready(r.gauge("mlfaas_revision_ready_replicas", "Ready replicas of the revision",
                             {"function_name", "revision"})),
      pending(r.gauge("mlfaas_function_pending_replicas",
                      "Replicas wanted but not started: the node's cores are reserved (Kubernetes: Pending)",
                      {"function_name"})),
      kn_request_count(r.counter("revision_request_count", "The number of requests that are routed to a revision (Knative)",
                                 {"namespace_name", "service_name", "configuration_name", "revision_name", "response_code",
                                  "response_code_class"})),
      kn_request_latencies(r.histogram("revision_request_latencies",
                                       "The response latencies of requests to a revision, in milliseconds (Knative)",
                                       {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000},
                                       {"namespace_name", "service_name", "configuration_name", "revision_name",
                                        "response_code", "response_code_class"})),
      kn_desired_pods(r.gauge("autoscaler_desired_pods", "Number of pods the autoscaler wants (Knative)",
                              {"namespace_name", "configuration_name", "revision_name"})),
      kn_actual_pods(r.gauge("autoscaler_actual_pods", "Number of pods that are allocated currently (Knative)",
                             {"namespace_name", "configuration_name", "revision_name"})),
      kn_panic_mode(r.gauge("autoscaler_panic_mode", "1 if the autoscaler is in panic mode (Knative)",
                            {"namespace_name", "configuration_name", "revision_name"})) {}

}  // namespace mlfaas::platform
