#include "autoscale/kpa_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mlfaas::autoscale {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

[[noreturn]] void invalid(const std::string& what) { throw std::invalid_argument("kpa: " + what); }

bool whole_seconds(Duration d) { return d % seconds(1) == Duration::zero(); }

}  // namespace

double KpaConfig::utilization_fraction() const {
  return target_utilization <= 1.0 ? target_utilization : target_utilization / 100.0;
}

Duration KpaConfig::panic_window() const {
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(to_seconds(stable_window) * panic_window_percentage / 100.0));
}

int KpaConfig::effective_initial_scale() const {
  return initial_scale == 0 && !allow_zero_initial_scale ? 1 : initial_scale;
}

int KpaConfig::effective_max_scale() const {
  if (max_scale_limit > 0 && (max_scale == 0 || max_scale > max_scale_limit)) return max_scale_limit;
  return max_scale;
}

Duration KpaConfig::scale_to_zero_hold() const {
  return std::max(scale_to_zero_grace_period, scale_to_zero_pod_retention_period);
}

void KpaConfig::validate() const {
  if (!(container_concurrency_target_default > 0))
    invalid(fmt::format("container-concurrency-target-default must be > 0, got {}",
                        container_concurrency_target_default));
  if (!(rps_target_default > 0))
    invalid(fmt::format("requests-per-second-target-default must be > 0, got {}", rps_target_default));
  if (target && !(*target > 0)) invalid(fmt::format("target must be > 0, got {}", *target));
  if (!(target_utilization > 0 && target_utilization <= 100))
    invalid(fmt::format("target utilization must be in (0, 1] or (1, 100], got {}", target_utilization));
  if (container_concurrency < 0)
    invalid(fmt::format("containerConcurrency must be >= 0, got {}", container_concurrency));
  if (stable_window < seconds(6) || stable_window > hours(1) || !whole_seconds(stable_window))
    invalid(fmt::format("stable window must be whole seconds in 6s..1h, got {}", format_duration(stable_window)));
  if (!(panic_window_percentage >= 1 && panic_window_percentage <= 100))
    invalid(fmt::format("panic-window-percentage must be in 1..100, got {}", panic_window_percentage));
  if (!(panic_threshold_percentage >= 110 && panic_threshold_percentage <= 1000))
    invalid(fmt::format("panic-threshold-percentage must be in 110..1000, got {}", panic_threshold_percentage));
  if (!(max_scale_up_rate > 1)) invalid(fmt::format("max-scale-up-rate must be > 1, got {}", max_scale_up_rate));
  if (!(max_scale_down_rate > 1))
    invalid(fmt::format("max-scale-down-rate must be > 1, got {}", max_scale_down_rate));
  if (tick_interval <= Duration::zero()) invalid("tick interval must be positive");
  if (min_scale < 0) invalid(fmt::format("min-scale must be >= 0, got {}", min_scale));
  if (max_scale < 0) invalid(fmt::format("max-scale must be >= 0, got {}", max_scale));
  if (max_scale_limit < 0) invalid(fmt::format("max-scale-limit must be >= 0, got {}", max_scale_limit));
  if (max_scale_limit > 0 && max_scale > max_scale_limit)
    invalid(fmt::format("max-scale {} exceeds max-scale-limit {}", max_scale, max_scale_limit));
  const int max = effective_max_scale();
  if (max > 0 && min_scale > max) invalid(fmt::format("min-scale {} exceeds max-scale {}", min_scale, max));
  if (initial_scale < 0) invalid(fmt::format("initial-scale must be >= 0, got {}", initial_scale));
  if (max > 0 && effective_initial_scale() > max)
    invalid(fmt::format("initial-scale {} exceeds max-scale {}", initial_scale, max));
  if (activation_scale < 1) invalid(fmt::format("activation-scale must be >= 1, got {}", activation_scale));
  if (max > 0 && activation_scale > max)
    invalid(fmt::format("activation-scale {} exceeds max-scale {}", activation_scale, max));
  if (scale_to_zero_grace_period < Duration::zero()) invalid("scale-to-zero-grace-period must be >= 0");
  if (scale_to_zero_pod_retention_period < Duration::zero())
    invalid("scale-to-zero-pod-retention-period must be >= 0");
  if (scale_down_delay < Duration::zero() || scale_down_delay > hours(1))
    invalid(fmt::format("scale-down-delay must be in 0..1h, got {}", format_duration(scale_down_delay)));
  if (!(target_burst_capacity >= 0 || target_burst_capacity == -1))
    invalid(fmt::format("target-burst-capacity must be >= 0 or -1, got {}", target_burst_capacity));
}

ResolvedTarget resolve_target(const KpaConfig& c) {
  double total;
  if (c.metric == Metric::rps) {
    total = c.rps_target_default;
  } else {
    // containerConcurrency = 0 (unlimited) aims for the soft default.
    total = c.container_concurrency > 0 ? c.container_concurrency : c.container_concurrency_target_default;
  }
  if (c.target) {
    total = *c.target;
    // Never aim above what a pod can take.
    if (c.metric == Metric::concurrency && c.container_concurrency > 0)
      total = std::min(*c.target, static_cast<double>(c.container_concurrency));
  }
  return {std::max(1.0, total * c.utilization_fraction()), total};
}

}  // namespace mlfaas::autoscale
