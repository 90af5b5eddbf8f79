#pragma once
// A constant replica count (faasd runs one replica per function; also for pinned functions).
#include <string>

#include "autoscale/policy.h"

namespace mlfaas::autoscale {

struct FixedConfig {
  int replicas = 1;  // at least 1
};

class FixedScaler final : public Policy {
 public:
  explicit FixedScaler(FixedConfig config);  // throws std::invalid_argument if replicas < 1

  Decision decide(TimePoint now, const Observed& observed) override;
  std::string describe() const override;
  PolicyKind kind() const override { return PolicyKind::fixed; }

 private:
  FixedConfig config_;
};

}  // namespace mlfaas::autoscale
