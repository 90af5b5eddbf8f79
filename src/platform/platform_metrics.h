#pragma once
// The gateway's Prometheus metrics: OpenFaaS's names (so OpenFaaS dashboards and alert rules work
// unchanged) plus the state a serverless platform should show: queue depth, desired/ready
// replicas, cold starts, restarts.
#include <string>

#include "metrics/registry.h"

namespace mlfaas::platform {

struct PlatformMetrics {
  explicit PlatformMetrics(metrics::Registry& r);

  metrics::Registry& registry;
  // OpenFaaS gateway (gateway/metrics/metrics.go)
  metrics::CounterFamily& invocations;        // gateway_function_invocation_total{function_name,code}
  metrics::HistogramFamily& duration;         // gateway_functions_seconds{function_name,code}
  metrics::GaugeFamily& service_count;        // gateway_service_count{function_name}
  metrics::CounterFamily& started;            // gateway_function_invocation_started{function_name}
  metrics::GaugeFamily& inflight_openfaas;    // gateway_function_invocation_inflight{function_name}
  // mlfaas
  metrics::GaugeFamily& queue_depth;          // mlfaas_function_queue_depth{function_name}
  metrics::GaugeFamily& desired;              // mlfaas_function_desired_replicas
  metrics::GaugeFamily& ready;                // mlfaas_function_ready_replicas
  metrics::CounterFamily& cold_starts;        // mlfaas_function_cold_starts_total
  metrics::HistogramFamily& cold_start_seconds;  // request at zero -> first replica ready
  metrics::CounterFamily& restarts;           // mlfaas_function_replica_restarts_total
  metrics::CounterFamily& retries;            // mlfaas_function_upstream_retries_total
  metrics::CounterFamily& rejected;           // mlfaas_function_rejected_total{function_name,reason}
  metrics::CounterFamily& abandoned;          // mlfaas_function_abandoned_total{function_name}
  metrics::CounterFamily& upstream_cancelled; // mlfaas_function_upstream_cancelled_total{function_name}
  // per revision (Knative's revision_* names are for the observability issue)
  metrics::CounterFamily& revision_requests;  // mlfaas_revision_requests_total{function_name,revision,code}
  metrics::GaugeFamily& revision_desired;     // mlfaas_revision_desired_replicas{function_name,revision}
  metrics::GaugeFamily& revision_ready;       // mlfaas_revision_ready_replicas{function_name,revision}
  metrics::GaugeFamily& pending;              // mlfaas_function_pending_replicas{function_name}
  // Knative's names, so a Knative user's dashboards work (queue-proxy's and the autoscaler's):
  metrics::CounterFamily& kn_request_count;      // revision_request_count{namespace_name,service_name,
                                                 //   configuration_name,revision_name,response_code,response_code_class}
  metrics::HistogramFamily& kn_request_latencies;  // revision_request_latencies{same} (milliseconds)
  metrics::GaugeFamily& kn_desired_pods;         // autoscaler_desired_pods{namespace_name,configuration_name,revision_name}
  metrics::GaugeFamily& kn_actual_pods;          // autoscaler_actual_pods{...}
  metrics::GaugeFamily& kn_panic_mode;           // autoscaler_panic_mode{...} (0/1)
};

}  // namespace mlfaas::platform
