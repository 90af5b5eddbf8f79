#pragma once
// Build a function's policy and its demand windows from typed configuration (the platform parses
// annotations and labels into these structs).
//
//   PolicyConfig cfg;  cfg.kind = PolicyKind::kpa;  cfg.kpa.container_concurrency = 10;
//   auto policy = make_policy(cfg, now, ready_pods);
//   FunctionMetrics metrics(demand_windows(cfg), now);
#include <memory>

#include "autoscale/fixed_scaler.h"
#include "autoscale/function_metrics.h"
#include "autoscale/kpa_config.h"
#include "autoscale/openfaas_ce_autoscaler.h"
#include "autoscale/policy.h"

namespace mlfaas::autoscale {

struct PolicyConfig {
  PolicyKind kind = PolicyKind::kpa;
  KpaConfig kpa;               // used when kind == kpa
  OpenFaasCeConfig openfaas_ce;  // used when kind == openfaas_ce
  FixedConfig fixed;           // used when kind == fixed
};

// Throws std::invalid_argument when the selected config is invalid. `ready_pods`: replicas ready now
// (a KPA created over more than one ready pod starts in panic mode).
std::unique_ptr<Policy> make_policy(const PolicyConfig& config, TimePoint now, int ready_pods = 0);

// The windows FunctionMetrics must keep for this config: KPA stable/panic windows and metric, and the
// CE rate window.
DemandWindows demand_windows(const PolicyConfig& config);

}  // namespace mlfaas::autoscale
