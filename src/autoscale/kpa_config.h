#pragma once
// Every knob of the Knative Pod Autoscaler with its Knative default (KS pkg/autoscaler/config
// defaultConfig(), config-autoscaler; per-function values come from annotations, parsed by the
// platform). Comments give the Knative key.
#include <optional>
#include <string>

#include "autoscale/clock.h"
#include "autoscale/metric.h"

namespace mlfaas::autoscale {

struct KpaConfig {
  // --- What a pod should carry (target resolution, resolve_target) ---
  Metric metric = Metric::concurrency;             // autoscaling.knative.dev/metric
  double container_concurrency_target_default = 100;  // container-concurrency-target-default
  double rps_target_default = 200;                 // requests-per-second-target-default
  std::optional<double> target;                    // autoscaling.knative.dev/target (> 0)
  // container-concurrency-target-percentage / target-utilization-percentage. Values in (0, 1] are
  // fractions, values in (1, 100] percentages: 0.7 and 70 mean the same.
  double target_utilization = 0.7;
  int container_concurrency = 0;  // Revision containerConcurrency: hard per-pod limit, 0 = unlimited

  // --- Windows and panic ---
  Duration stable_window = std::chrono::seconds(60);  // stable-window / window: 6s..1h, whole seconds
  double panic_window_percentage = 10.0;     // panic window = stable × this / 100; 1..100
  double panic_threshold_percentage = 200.0;  // panic when panic-window pods ≥ ready × this / 100; 110..1000

  // --- Rates (per decision) ---
  double max_scale_up_rate = 1000.0;  // > 1: desired ≤ ceil(rate × ready)
  double max_scale_down_rate = 2.0;   // > 1: desired ≥ floor(ready / rate)
  Duration tick_interval = std::chrono::seconds(2);  // granularity of the scale-down-delay window

  // --- Bounds ---
  int min_scale = 0;         // min-scale; with scale-to-zero disabled, 0 behaves as 1
  int max_scale = 0;         // max-scale, 0 = unlimited; bounds all replicas, starting ones included
  int max_scale_limit = 0;   // max-scale-limit (cluster): caps max-scale, and replaces "unlimited"
  int initial_scale = 1;     // initial-scale: replicas to reach before the function counts as started
  bool allow_zero_initial_scale = false;  // without it an initial scale of 0 means the default 1
  int activation_scale = 1;  // activation-scale: at least this many pods whenever scaling up from zero

  // --- Scale to zero ---
  bool enable_scale_to_zero = true;  // enable-scale-to-zero
  // scale-to-zero-grace-period. In Knative: how long to wait for the activator to be in the request
  // path (network programming) before the last pod goes. mlfaas' gateway is always in the path, so
  // this can be 0; the default keeps Knative's 30 s so behaviour matches out of the box.
  Duration scale_to_zero_grace_period = std::chrono::seconds(30);
  // scale-to-zero-pod-retention-period: the user-facing "keep the last pod warm this long".
  Duration scale_to_zero_pod_retention_period = std::chrono::seconds(0);
  // The last pod stays max(grace, retention) after the decision to go to zero (Knative's check).

  Duration scale_down_delay = std::chrono::seconds(0);  // scale-down-delay: 0..1h
  double target_burst_capacity = 200;  // target-burst-capacity: ≥ 0, or -1 (always buffer)

  // Throws std::invalid_argument naming the first bad field (Knative's validation ranges).
  void validate() const;
  // Derived values.
  double utilization_fraction() const;  // 70 → 0.7, 0.7 → 0.7
  Duration panic_window() const;        // stable × percentage / 100
  double panic_threshold() const { return panic_threshold_percentage / 100.0; }
  int effective_initial_scale() const;  // 0 only if allowed, else 1
  int effective_max_scale() const;      // 0 = unlimited, after max-scale-limit
  Duration scale_to_zero_hold() const;  // max(grace, retention)
};

// Knative ResolveMetricTarget (KS pkg/reconciler/autoscaling/resources/target.go).
struct ResolvedTarget {
  double target;  // what each pod should carry: max(1, total × utilization)
  double total;   // per-pod capacity the target is a fraction of (used for burst capacity)
};
ResolvedTarget resolve_target(const KpaConfig& c);

}  // namespace mlfaas::autoscale
