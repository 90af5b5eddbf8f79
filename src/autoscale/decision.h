#pragma once
// What a policy sees each tick (Observed, built by FunctionMetrics::observe) and what it answers.
#include <optional>
#include <string>

#include "autoscale/clock.h"

namespace mlfaas::autoscale {

struct Observed {
  // The KPA scaling metric (concurrency or rps, per the function's config) averaged over the stable
  // and the panic window.
  double stable_value = 0;
  double panic_value = 0;
  int ready_pods = 0;  // replicas passing readiness now
  // Requests in the gateway for this function right now, queued or running. At zero ready pods any
  // such request is waiting for a replica: the scale-from-zero signal.
  double in_flight = 0;
  // Last time a request arrived or was seen in flight; empty if never.
  std::optional<TimePoint> last_request;
  // OpenFaaS CE: rate of 2xx responses per second over the CE window (10 s).
  double ce_rate_2xx = 0;
  // False when no route sends traffic to this function (Knative "unreachable" revision): min-scale is
  // then ignored and the KPA may halve without the max-scale-down-rate bound.
  bool reachable = true;
};

struct Decision {
  int desired_pods = 0;  // replicas wanted, counting those still starting
  bool in_panic = false;
  // Knative EBC: floor(ready × per-pod total − target-burst-capacity − panic value); negative means
  // the pods have less spare room than wanted for a burst and the gateway should keep buffering
  // (Knative keeps the activator in the path). 0 when TBC is 0, -1 when TBC is -1.
  int excess_burst_capacity = 0;
  std::string reason;  // one line for `mlfaas describe`
};

}  // namespace mlfaas::autoscale
