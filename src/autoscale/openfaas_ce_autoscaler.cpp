#include "autoscale/openfaas_ce_autoscaler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mlfaas::autoscale {
namespace {

[[noreturn]] void invalid(const std::string& what) { throw std::invalid_argument("openfaas-ce: " + what); }

OpenFaasCeConfig validated(OpenFaasCeConfig c) {
  c.validate();
  return c;
}

}  // namespace

int OpenFaasCeConfig::effective_max() const { return std::min(max_replicas, kOpenFaasCeMaxReplicas); }

int OpenFaasCeConfig::step() const {
  return static_cast<int>(std::ceil(static_cast<double>(effective_max()) / 100.0 * scaling_factor));
}

void OpenFaasCeConfig::validate() const {
  if (min_replicas < 1) invalid(fmt::format("min replicas must be >= 1 (CE never scales to zero), got {}", min_replicas));
  if (max_replicas < 1) invalid(fmt::format("max replicas must be >= 1, got {}", max_replicas));
  if (min_replicas > effective_max())
    invalid(fmt::format("min replicas {} exceeds max replicas {} (CE caps at {})", min_replicas, effective_max(),
                        kOpenFaasCeMaxReplicas));
  if (scaling_factor < 0 || scaling_factor > 100)
    invalid(fmt::format("scaling factor must be in 0..100, got {}", scaling_factor));
  if (!(rate_threshold_rps >= 0)) invalid(fmt::format("rate threshold must be >= 0, got {}", rate_threshold_rps));
  if (rate_window <= Duration::zero()) invalid("rate window must be positive");
  if (alert_for < Duration::zero()) invalid("alert 'for' duration must be >= 0");
  if (step_interval <= Duration::zero()) invalid("step interval must be positive");
}

OpenFaasCeAutoscaler::OpenFaasCeAutoscaler(OpenFaasCeConfig config)
    : config_(validated(std::move(config))), replicas_(config_.min_replicas) {}

int OpenFaasCeAutoscaler::calculate_replicas(bool alert_firing) const {
  const int step = config_.step();
  if (alert_firing && step > 0) return std::min(replicas_ + step, config_.effective_max());
  return config_.min_replicas;  // resolved (or factor 0)
}

Decision OpenFaasCeAutoscaler::decide(TimePoint now, const Observed& o) {
  const double rate = o.ce_rate_2xx;
  const bool above = rate > config_.rate_threshold_rps;
  std::string what;
  if (!above) {
    pending_since_.reset();
    if (firing_) {
      firing_ = false;
      replicas_ = calculate_replicas(false);
      what = fmt::format("alert resolved: back to min {}", replicas_);
    } else {
      what = "alert inactive";
    }
  } else {
    if (!pending_since_) pending_since_ = now;
    const Duration pending = now - *pending_since_;
    if (!firing_ && pending >= config_.alert_for) {
      firing_ = true;
      last_sent_ = now;
      replicas_ = calculate_replicas(true);
      what = fmt::format("alert fired: step {} -> {}", config_.step(), replicas_);
    } else if (firing_ && now - last_sent_ >= config_.step_interval) {
      last_sent_ = now;
      replicas_ = calculate_replicas(true);
      what = fmt::format("alert repeated: step {} -> {}", config_.step(), replicas_);
    } else if (firing_) {
      what = "alert firing";
    } else {
      what = fmt::format("alert pending for {} of {}", format_duration(pending), format_duration(config_.alert_for));
    }
  }
  Decision d;
  d.desired_pods = replicas_;
  d.reason = fmt::format("openfaas-ce: 2xx rate {:g} rps over {} (threshold > {:g}); {} (max {}, ready {})", rate,
                         format_duration(config_.rate_window), config_.rate_threshold_rps, what,
                         config_.effective_max(), o.ready_pods);
  return d;
}

std::string OpenFaasCeAutoscaler::describe() const {
  return fmt::format(
      "openfaas-ce: alert when 2xx rate over {} > {:g} rps for {}; step ceil({} x {}%) = {} every {} while "
      "firing; min={} max={} (requested {}, CE cap {}); resolved -> min",
      format_duration(config_.rate_window), config_.rate_threshold_rps, format_duration(config_.alert_for),
      config_.effective_max(), config_.scaling_factor, config_.step(), format_duration(config_.step_interval),
      config_.min_replicas, config_.effective_max(), config_.max_replicas, kOpenFaasCeMaxReplicas);
}

}  // namespace mlfaas::autoscale
