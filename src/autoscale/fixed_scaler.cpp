#include "autoscale/fixed_scaler.h"

#include <fmt/format.h>

#include <stdexcept>

namespace mlfaas::autoscale {

FixedScaler::FixedScaler(FixedConfig config) : config_(config) {
  if (config_.replicas < 1)
    throw std::invalid_argument(fmt::format("fixed: replicas must be >= 1, got {}", config_.replicas));
}

Decision FixedScaler::decide(TimePoint, const Observed& o) {
  Decision d;
  d.desired_pods = config_.replicas;
  d.reason = fmt::format("fixed: always {} (ready {})", config_.replicas, o.ready_pods);
  return d;
}

std::string FixedScaler::describe() const { return fmt::format("fixed: replicas={}", config_.replicas); }

}  // namespace mlfaas::autoscale
