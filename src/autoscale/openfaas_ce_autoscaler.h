#pragma once
// OpenFaaS Community Edition scaling: one Prometheus alert rule plus the gateway's alert handler.
//
//   APIHighInvocationRate: sum(rate(gateway_function_invocation_total{code="200"}[10s])) by (function_name) > 5
//   for: 5s                            (faas-netes chart prometheus-cfg.yaml)
//   firing:   replicas = min(current + step, max),  step = ceil(max / 100 × factor), max = min(label, 5)
//   resolved: replicas = min                        (gateway/handlers/alerthandler.go CalculateReplicas)
//
// Modelled as follows (choices where the real system is Prometheus + Alertmanager timing):
//   - The rule is evaluated on every decide() call (the gateway's tick). It is pending from the first
//     call where the rate is above the threshold and fires on the first call at least `alert_for`
//     later; any call at or below the threshold clears it.
//   - A firing alert is (re)sent, and so steps once, when it starts firing and then every
//     `step_interval` while it keeps firing. Default 5 s, matching `for: 5s`. The chart's real timing
//     is slower: Prometheus evaluation_interval 15s, Alertmanager group_wait 5s, group_interval 10s,
//     repeat_interval 30s.
//   - When the alert resolves, replicas drop straight to min (send_resolved: true).
//   - "current" is the replica count this policy last asked for, starting at min (CE reads the
//     deployment's replica count, which is what the gateway sets from our decisions).
//   - The rate counts 2xx responses (the CE rule counts code="200" only).
//   - Factor 0 makes the step 0, and CalculateReplicas then takes the "resolved" branch: replicas = min
//     on every alert, i.e. no scaling.
//   - Never zero: CE has no idler; min is at least 1.
#include <optional>
#include <string>

#include "autoscale/policy.h"

namespace mlfaas::autoscale {

constexpr int kOpenFaasCeMaxReplicas = 5;  // gateway/scaling/ranges.go DefaultMaxReplicas: hard cap in CE

struct OpenFaasCeConfig {
  int min_replicas = 1;  // com.openfaas.scale.min (default 1, at least 1)
  int max_replicas = kOpenFaasCeMaxReplicas;  // com.openfaas.scale.max, capped to 5
  // com.openfaas.scale.factor: step = ceil(max × factor / 100); 0 disables scaling. The docs say 20;
  // the gateway's code constant DefaultScalingFactor is 10.
  int scaling_factor = 20;
  double rate_threshold_rps = 5.0;                    // "> 5"
  Duration rate_window = std::chrono::seconds(10);    // rate(...[10s]); FunctionMetrics' ce_rate window
  Duration alert_for = std::chrono::seconds(5);       // for: 5s
  Duration step_interval = std::chrono::seconds(5);   // one step per interval while firing

  void validate() const;  // throws std::invalid_argument
  int effective_max() const;  // min(max_replicas, 5)
  int step() const;           // ceil(effective_max × factor / 100)
};

class OpenFaasCeAutoscaler final : public Policy {
 public:
  explicit OpenFaasCeAutoscaler(OpenFaasCeConfig config);

  Decision decide(TimePoint now, const Observed& observed) override;
  std::string describe() const override;
  PolicyKind kind() const override { return PolicyKind::openfaas_ce; }

  bool firing() const { return firing_; }
  int replicas() const { return replicas_; }

 private:
  // CalculateReplicas for one alert notification.
  int calculate_replicas(bool alert_firing) const;

  OpenFaasCeConfig config_;
  int replicas_;
  std::optional<TimePoint> pending_since_;  // rate above threshold since
  bool firing_ = false;
  TimePoint last_sent_{};
};

}  // namespace mlfaas::autoscale
