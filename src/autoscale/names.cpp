// String forms of the small enums (metric.h, policy.h).
#include "autoscale/metric.h"
#include "autoscale/policy.h"

namespace mlfaas::autoscale {

std::string_view metric_name(Metric m) { return m == Metric::rps ? "rps" : "concurrency"; }

std::optional<Metric> parse_metric(std::string_view name) {
  if (name == "concurrency") return Metric::concurrency;
  if (name == "rps") return Metric::rps;
  return std::nullopt;
}

std::string_view policy_kind_name(PolicyKind k) {
  switch (k) {
    case PolicyKind::kpa: return "kpa";
    case PolicyKind::openfaas_ce: return "openfaas-ce";
    case PolicyKind::fixed: return "fixed";
  }
  return "kpa";
}

std::optional<PolicyKind> parse_policy_kind(std::string_view name) {
  for (PolicyKind k : {PolicyKind::kpa, PolicyKind::openfaas_ce, PolicyKind::fixed})
    if (name == policy_kind_name(k)) return k;
  return std::nullopt;
}

}  // namespace mlfaas::autoscale
