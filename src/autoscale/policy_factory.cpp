#include "autoscale/policy_factory.h"

#include "autoscale/kpa_autoscaler.h"

namespace mlfaas::autoscale {

std::unique_ptr<Policy> make_policy(const PolicyConfig& config, TimePoint now, int ready_pods) {
  switch (config.kind) {
    case PolicyKind::kpa: return std::make_unique<KpaAutoscaler>(config.kpa, now, ready_pods);
    case PolicyKind::openfaas_ce: return std::make_unique<OpenFaasCeAutoscaler>(config.openfaas_ce);
    case PolicyKind::fixed: return std::make_unique<FixedScaler>(config.fixed);
  }
  return std::make_unique<KpaAutoscaler>(config.kpa, now, ready_pods);
}

DemandWindows demand_windows(const PolicyConfig& config) {
  DemandWindows w;
  w.metric = config.kpa.metric;
  w.stable = config.kpa.stable_window;
  w.panic = config.kpa.panic_window();
  w.ce_rate = config.openfaas_ce.rate_window;
  return w;
}

}  // namespace mlfaas::autoscale
