#pragma once
// The demand signal a KPA policy scales on (Knative autoscaling.knative.dev/metric).
#include <optional>
#include <string_view>

namespace mlfaas::autoscale {

enum class Metric {
  concurrency,  // average requests in flight (default)
  rps,          // requests per second
};

std::string_view metric_name(Metric m);                     // "concurrency" | "rps"
std::optional<Metric> parse_metric(std::string_view name);  // inverse of metric_name

}  // namespace mlfaas::autoscale
