#pragma once
// Knative Pod Autoscaler decisions (KS pkg/autoscaler/scaling/autoscaler.go Scale(), then the bounds
// and scale-to-zero steps of pkg/reconciler/autoscaling/kpa/scaler.go), one call per tick:
//
//   ready   = max(1, ready pods)
//   maxUp   = ceil(max-scale-up-rate × ready);  maxDown = reachable ? floor(ready / max-scale-down-rate) : 0
//   dspc    = ceil(stable / target);            dppc    = ceil(panic / target)
//   stable pods = clamp(dspc, maxDown, maxUp), panic pods likewise; both raised to activation-scale
//   when > 1 and their dspc/dppc > 0.
//   Panic starts when dppc / ready ≥ threshold, every tick still over moves the panic time to now, and
//   it ends once not over and more than a stable window has passed since the panic time. In panic:
//   desired = max(stable pods, panic pods, the most pods wanted during this panic): no scale-down.
//   Scale-down delay: desired = the maximum desired over the last scale-down-delay.
//   Bounds: [min-scale (ignored when unreachable), max-scale]; min is max(min, initial-scale) until the
//   function has once had that many ready pods.
//   Zero: only when the result is 0 (stable average 0 and maxDown 0, i.e. one pod left), scale-to-zero
//   is enabled, min-scale is 0 and the last request is at least a stable window old. The last pod is
//   kept max(grace, retention) after that decision; with no ready pod there is nothing to keep and the
//   answer is 0 at once.
//   Scale from zero: with no ready pod, the requests in flight (queued) count as panic-window
//   concurrency when larger than the panic average (concurrency metric), so a burst at zero is sized for on the very call that sees it
//   (100 queued at target 7 -> 15 pods, in panic so it is held while pods start); and with any demand
//   the answer is at least max(1, activation-scale, min-scale).
//   Created while more than one pod is ready: starts in panic holding that many, so losing the metric
//   history (a restart) never scales a function down.
#include <optional>
#include <string>

#include "autoscale/kpa_config.h"
#include "autoscale/max_window.h"
#include "autoscale/policy.h"

namespace mlfaas::autoscale {

class KpaAutoscaler final : public Policy {
 public:
  // Validates `config` (std::invalid_argument). `ready_pods`: replicas ready at creation.
  KpaAutoscaler(KpaConfig config, TimePoint now, int ready_pods = 0);

  Decision decide(TimePoint now, const Observed& observed) override;
  std::string describe() const override;
  PolicyKind kind() const override { return PolicyKind::kpa; }

  const KpaConfig& config() const { return config_; }
  ResolvedTarget target() const { return target_; }
  bool in_panic() const { return panic_time_.has_value(); }

 private:
  struct Scaled {
    int pods;
    std::string note;
  };
  Scaled bound(int desired, const Observed& o) const;
  Scaled to_zero_or_not(TimePoint now, int desired, const Observed& o);
  int excess_burst_capacity(const Observed& o, double panic) const;

  KpaConfig config_;
  ResolvedTarget target_;
  TimePoint created_;
  // Panic state (Knative panicTime / maxPanicPods).
  std::optional<TimePoint> panic_time_;
  int max_panic_pods_ = 0;
  std::optional<MaxWindow> scale_down_delay_;
  bool initialized_ = false;               // reached max(min, initial) ready pods once
  std::optional<TimePoint> zero_decided_;  // when the decision to go to zero was taken
};

}  // namespace mlfaas::autoscale
