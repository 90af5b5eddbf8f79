#pragma once
// The demand history of one function, fed by the gateway and read once per tick by its policy
// (Knative keeps this apart from the decider too: the metric collector vs pkg/autoscaler/scaling).
//
//   FunctionMetrics m(demand_windows(config), now);      // at deploy time: the history starts here
//   m.record(now, in_flight);                            // on every change, or at least every second
//   m.record_requests(now, 1);                           // per arrival (or a count per second)
//   m.record_status(now, 2, 1);                          // per response: status class 2 = 2xx
//   Decision d = policy.decide(now, m.observe(now, ready_pods));
//
// Windows: concurrency is time-weighted (ConcurrencySeries), requests and 2xx responses are counts per
// 1 s bucket divided by seconds (BucketedSeries). Stable and panic averages read the same 1 s buckets
// over different spans. Seconds without requests are zeros; during the first window after `start`
// the averages are over the time since `start`.
#include <cstdint>
#include <optional>

#include "autoscale/bucketed_series.h"
#include "autoscale/clock.h"
#include "autoscale/concurrency_series.h"
#include "autoscale/decision.h"
#include "autoscale/metric.h"

namespace mlfaas::autoscale {

struct DemandWindows {
  Metric metric = Metric::concurrency;        // which signal Observed::stable/panic_value carry
  Duration stable = std::chrono::seconds(60);  // Knative stable-window
  Duration panic = std::chrono::seconds(6);    // stable × panic-window-percentage / 100
  Duration ce_rate = std::chrono::seconds(10);  // OpenFaaS CE rule: rate(...[10s])
};

class FunctionMetrics {
 public:
  FunctionMetrics(DemandWindows windows, TimePoint start);

  // Requests in flight for this function at `now`, including those queued for a replica.
  void record(TimePoint now, double in_flight);
  // `count` requests arrived at `now`.
  void record_requests(TimePoint now, std::uint64_t count = 1);
  // `count` responses of status class `code_class` (2 = 2xx; a full code like 200 is accepted too).
  // Only 2xx feed the OpenFaaS CE rate.
  void record_status(TimePoint now, int code_class, std::uint64_t count = 1);

  // Everything a policy reads. Not const: it accounts the in-flight level up to `now`.
  Observed observe(TimePoint now, int ready_pods, bool reachable = true);

  double stable_concurrency(TimePoint now) { return concurrency_.average(now, windows_.stable); }
  double panic_concurrency(TimePoint now) { return concurrency_.average(now, windows_.panic); }
  double stable_rps(TimePoint now) const { return requests_.average(now, windows_.stable); }
  double panic_rps(TimePoint now) const { return requests_.average(now, windows_.panic); }
  double ce_rate_2xx(TimePoint now) const { return ok_responses_.average(now, windows_.ce_rate); }
  double in_flight() const { return concurrency_.level(); }
  std::optional<TimePoint> last_request() const { return last_request_; }
  const DemandWindows& windows() const { return windows_; }

 private:
  void saw_request(TimePoint now);

  DemandWindows windows_;
  ConcurrencySeries concurrency_;
  BucketedSeries requests_;
  BucketedSeries ok_responses_;
  std::optional<TimePoint> last_request_;
};

}  // namespace mlfaas::autoscale
