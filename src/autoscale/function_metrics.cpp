#include "autoscale/function_metrics.h"

#include <algorithm>
#include <stdexcept>

namespace mlfaas::autoscale {
namespace {

Duration longest(const DemandWindows& w) { return std::max(w.stable, w.panic); }

}  // namespace

FunctionMetrics::FunctionMetrics(DemandWindows windows, TimePoint start)
    : windows_(windows),
      concurrency_(longest(windows), start),
      requests_(longest(windows)),
      ok_responses_(windows.ce_rate) {
  if (windows.stable <= Duration::zero() || windows.panic <= Duration::zero() ||
      windows.ce_rate <= Duration::zero())
    throw std::invalid_argument("FunctionMetrics windows must be positive");
  // The history starts now: zeros from here on are measured zeros.
  requests_.add(start, 0);
  ok_responses_.add(start, 0);
}

void FunctionMetrics::saw_request(TimePoint now) {
  if (!last_request_ || now > *last_request_) last_request_ = now;
}

void FunctionMetrics::record(TimePoint now, double in_flight) {
  concurrency_.record(now, in_flight);
  if (in_flight > 0) saw_request(now);
}

void FunctionMetrics::record_requests(TimePoint now, std::uint64_t count) {
  requests_.add(now, static_cast<double>(count));
  if (count > 0) saw_request(now);
}

void FunctionMetrics::record_status(TimePoint now, int code_class, std::uint64_t count) {
  if (code_class >= 100) code_class /= 100;
  if (code_class == 2) ok_responses_.add(now, static_cast<double>(count));
}

Observed FunctionMetrics::observe(TimePoint now, int ready_pods, bool reachable) {
  Observed o;
  if (windows_.metric == Metric::rps) {
    o.stable_value = stable_rps(now);
    o.panic_value = panic_rps(now);
  } else {
    o.stable_value = stable_concurrency(now);
    o.panic_value = panic_concurrency(now);
  }
  o.ready_pods = ready_pods;
  o.in_flight = concurrency_.level();
  if (o.in_flight > 0) saw_request(now);  // still in flight: the function is not idle
  o.last_request = last_request_;
  o.ce_rate_2xx = ce_rate_2xx(now);
  o.reachable = reachable;
  return o;
}

}  // namespace mlfaas::autoscale
