#pragma once
// The interface the gateway drives: one Policy per function, decide() every tick (Knative ticks every
// 2 s) and right away when a request arrives while no pod is ready.
#include <optional>
#include <string>
#include <string_view>

#include "autoscale/clock.h"
#include "autoscale/decision.h"

namespace mlfaas::autoscale {

enum class PolicyKind {
  kpa,          // Knative Pod Autoscaler semantics
  openfaas_ce,  // OpenFaaS Community Edition alert-driven stepping
  fixed,        // a constant replica count
};

std::string_view policy_kind_name(PolicyKind k);                     // "kpa" | "openfaas-ce" | "fixed"
std::optional<PolicyKind> parse_policy_kind(std::string_view name);  // inverse of policy_kind_name

class Policy {
 public:
  virtual ~Policy() = default;
  // Policies keep state between calls (panic mode, alert timers, ...): call with non-decreasing `now`.
  virtual Decision decide(TimePoint now, const Observed& observed) = 0;
  // The policy's parameters on one line.
  virtual std::string describe() const = 0;
  virtual PolicyKind kind() const = 0;
};

}  // namespace mlfaas::autoscale
