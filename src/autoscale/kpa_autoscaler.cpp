#include "autoscale/kpa_autoscaler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace mlfaas::autoscale {
namespace {

KpaConfig validated(KpaConfig c) {
  c.validate();
  return c;
}

std::string max_scale_text(int max) { return max > 0 ? std::to_string(max) : "unlimited"; }

}  // namespace

KpaAutoscaler::KpaAutoscaler(KpaConfig config, TimePoint now, int ready_pods)
    : config_(validated(std::move(config))), target_(resolve_target(config_)), created_(now) {
  if (config_.scale_down_delay > Duration::zero())
    scale_down_delay_.emplace(config_.scale_down_delay, config_.tick_interval);
  // Metric history starts empty: keep the current scale until the windows have filled (Knative
  // newAutoscaler starts in panic mode when more than one pod is ready).
  if (ready_pods > 1) panic_time_ = now;
  max_panic_pods_ = std::max(0, ready_pods);
}

Decision KpaAutoscaler::decide(TimePoint now, const Observed& o) {
  std::vector<std::string> notes;
  const double ready = std::max(1, o.ready_pods);  // Knative: use 1 if there are zero pods
  const double stable = std::max(0.0, o.stable_value);
  // With no pod ready, the requests queued right now are panic-window concurrency: the averages cannot
  // show them yet (a request's first instant has no weight), while Knative's activator reports its
  // buffered requests at once. So a burst at zero is sized, and held by panic mode, on the first call.
  const bool queue_counts = o.ready_pods == 0 && config_.metric == Metric::concurrency;
  const double panic = std::max(0.0, queue_counts ? std::max(o.panic_value, o.in_flight) : o.panic_value);

  // ceil/floor keep at least +1 pod possible when the rate is small, and 0 reachable from 1 pod.
  const double max_up = std::ceil(config_.max_scale_up_rate * ready);
  const double max_down = o.reachable ? std::floor(ready / config_.max_scale_down_rate) : 0.0;
  const double dspc = std::ceil(stable / target_.target);
  const double dppc = std::ceil(panic / target_.target);
  int stable_pods = static_cast<int>(std::min(std::max(dspc, max_down), max_up));
  int panic_pods = static_cast<int>(std::min(std::max(dppc, max_down), max_up));
  bool stable_activated = false, panic_activated = false;
  if (config_.activation_scale > 1) {
    if (dspc > 0 && config_.activation_scale > stable_pods) {
      stable_pods = config_.activation_scale;
      stable_activated = true;
    }
    if (dppc > 0 && config_.activation_scale > panic_pods) {
      panic_pods = config_.activation_scale;
      panic_activated = true;
    }
  }

  const bool over_threshold = dppc / ready >= config_.panic_threshold();
  if (over_threshold) {
    panic_time_ = now;  // enter panic, or extend it while still over
  } else if (panic_time_ && *panic_time_ + config_.stable_window < now) {
    panic_time_.reset();  // the surge has made its way into the stable average
    max_panic_pods_ = 0;
  }

  int desired = stable_pods;
  std::string head;
  const auto metric = metric_name(config_.metric);
  if (panic_time_) {
    // The stable average can exceed the panic one (a surge that just ended): provision for both.
    desired = std::max(stable_pods, panic_pods);
    head = fmt::format("panic mode: {} {:g} over {} (stable {:g}) / target {:g} -> {} pods", metric, panic,
                       format_duration(config_.panic_window()), stable, target_.target, desired);
    if (dppc > max_up || dspc > max_up)
      notes.push_back(fmt::format("max-scale-up-rate allows {:g}", max_up));
    max_panic_pods_ = std::max(max_panic_pods_, desired);
    if (desired < max_panic_pods_)
      notes.push_back(fmt::format("no scale-down in panic: holding {}", max_panic_pods_));
    desired = max_panic_pods_;
  } else {
    head = fmt::format("stable mode: {} {:g} over {} / target {:g} -> {} pods", metric, stable,
                       format_duration(config_.stable_window), target_.target, desired);
    if (dspc > max_up) notes.push_back(fmt::format("max-scale-up-rate allows {:g}", max_up));
    if (dspc < max_down) notes.push_back(fmt::format("max-scale-down-rate allows no fewer than {:g}", max_down));
  }
  if (stable_activated || (panic_time_ && panic_activated))
    notes.push_back(fmt::format("activation-scale {}", config_.activation_scale));

  if (scale_down_delay_) {
    scale_down_delay_->record(now, desired);
    if (const int delayed = scale_down_delay_->current(); delayed != desired) {
      notes.push_back(fmt::format("scale-down-delay {}: holding {}", format_duration(config_.scale_down_delay),
                                  delayed));
      desired = delayed;
    }
  }

  Scaled s = bound(desired, o);
  if (!s.note.empty()) notes.push_back(s.note);

  // Scale from zero: the request that just arrived must not wait for the averages to catch up.
  const bool demand = o.in_flight > 0 || stable > 0 || panic > 0;
  if (o.ready_pods == 0 && demand) {
    const int from_zero = std::max(1, config_.activation_scale);
    if (s.pods < from_zero) {
      notes.push_back(fmt::format("scale from zero: {:g} request(s) waiting -> {} pod(s)", o.in_flight, from_zero));
      s.pods = from_zero;
    }
  }

  Scaled z = to_zero_or_not(now, s.pods, o);
  if (!z.note.empty()) notes.push_back(z.note);

  const int active_threshold =
      std::max(o.reachable ? config_.min_scale : 0, config_.effective_initial_scale());
  if (!initialized_ && o.ready_pods >= active_threshold) initialized_ = true;

  Decision d;
  d.desired_pods = z.pods;
  d.in_panic = panic_time_.has_value();
  d.excess_burst_capacity = excess_burst_capacity(o, panic);
  d.reason = head;
  for (const auto& n : notes) d.reason += "; " + n;
  d.reason += fmt::format(" (ready {}, want {})", o.ready_pods, d.desired_pods);
  return d;
}

KpaAutoscaler::Scaled KpaAutoscaler::bound(int desired, const Observed& o) const {
  int min = o.reachable ? config_.min_scale : 0;  // an unreachable function may go below min-scale
  const int max = config_.effective_max_scale();
  if (!initialized_ && config_.effective_initial_scale() > min) {
    min = config_.effective_initial_scale();
    if (desired < min) return {min, fmt::format("initial-scale {} not reached yet", min)};
  }
  if (desired < min) return {min, fmt::format("min-scale {}", min)};
  if (max > 0 && desired > max) return {max, fmt::format("max-scale {}", max)};
  return {desired, ""};
}

KpaAutoscaler::Scaled KpaAutoscaler::to_zero_or_not(TimePoint now, int desired, const Observed& o) {
  if (desired != 0) {
    zero_decided_.reset();
    return {desired, ""};
  }
  if (!config_.enable_scale_to_zero) {
    zero_decided_.reset();
    return {1, "scale-to-zero disabled: keeping 1 pod"};
  }
  // Idle long enough: the last request is a stable window old. Without any request the clock starts
  // at creation, except when no pod was ever started (initial scale 0): then there is nothing to stop.
  const TimePoint last = o.last_request.value_or(created_);
  const bool idle_enough = now - last >= config_.stable_window || (!o.last_request && o.ready_pods == 0);
  if (!idle_enough) {
    zero_decided_.reset();
    return {1, fmt::format("idle {} of the {} needed before scale to zero", format_duration(now - last),
                           format_duration(config_.stable_window))};
  }
  if (!zero_decided_) zero_decided_ = now;
  if (o.ready_pods == 0) return {0, "idle: scaled to zero"};
  const Duration hold = config_.scale_to_zero_hold();
  const Duration held = now - *zero_decided_;
  if (held >= hold) return {0, "idle: scale to zero"};
  return {1, fmt::format("idle: keeping the last pod {} more (max of grace {}, retention {})",
                         format_duration(hold - held), format_duration(config_.scale_to_zero_grace_period),
                         format_duration(config_.scale_to_zero_pod_retention_period))};
}

int KpaAutoscaler::excess_burst_capacity(const Observed& o, double panic) const {
  const double tbc = config_.target_burst_capacity;
  if (tbc == 0) return 0;
  if (tbc < 0) return -1;
  // Spare room of the ready pods beyond the current panic-window demand, minus the wanted burst room.
  return static_cast<int>(std::floor(o.ready_pods * target_.total - tbc - panic));
}

std::string KpaAutoscaler::describe() const {
  const auto& c = config_;
  const std::string limit =
      c.metric == Metric::concurrency ? fmt::format(" containerConcurrency={}", c.container_concurrency) : "";
  return fmt::format(
      "kpa: metric={} target={:g}/pod ({:g} x utilization {:g}){} stable-window={} panic-window={} ({:g}%) "
      "panic-threshold={:g}% max-scale-up-rate={:g} max-scale-down-rate={:g} min-scale={} max-scale={} "
      "initial-scale={} activation-scale={} scale-to-zero={} (last pod kept max(grace {}, retention {})) "
      "scale-down-delay={} target-burst-capacity={:g}",
      metric_name(c.metric), target_.target, target_.total, c.utilization_fraction(), limit,
      format_duration(c.stable_window), format_duration(c.panic_window()), c.panic_window_percentage,
      c.panic_threshold_percentage, c.max_scale_up_rate, c.max_scale_down_rate, c.min_scale,
      max_scale_text(c.effective_max_scale()), c.effective_initial_scale(), c.activation_scale,
      c.enable_scale_to_zero ? "enabled" : "disabled", format_duration(c.scale_to_zero_grace_period),
      format_duration(c.scale_to_zero_pod_retention_period), format_duration(c.scale_down_delay),
      c.target_burst_capacity);
}

}  // namespace mlfaas::autoscale
