#include "autoscale/concurrency_series.h"

#include <algorithm>

namespace mlfaas::autoscale {

ConcurrencySeries::ConcurrencySeries(Duration capacity, TimePoint start, double level)
    : buckets_(capacity), last_(start), level_(std::max(0.0, level)) {
  buckets_.add_weighted(start, level_, Duration::zero());  // the series exists from `start` on
}

void ConcurrencySeries::advance(TimePoint now) {
  if (now <= last_) return;
  using std::chrono::seconds;
  TimePoint t = last_;
  // After a long silence only the last `capacity` seconds can still be in a window.
  const TimePoint earliest_useful = std::chrono::floor<seconds>(now) - buckets_.capacity();
  if (t < earliest_useful) t = earliest_useful;
  while (t < now) {
    const TimePoint next_second = std::chrono::floor<seconds>(t) + seconds(1);
    const TimePoint end = std::min(now, next_second);
    buckets_.add_weighted(t, level_, end - t);
    t = end;
  }
  last_ = now;
}

void ConcurrencySeries::record(TimePoint now, double in_flight) {
  advance(now);
  level_ = std::max(0.0, in_flight);
}

double ConcurrencySeries::average(TimePoint now, Duration window) {
  advance(now);
  // The window ends with the bucket holding the last observed instant: at exactly a whole second,
  // now's bucket has covered no time yet and would count as a zero.
  return buckets_.average(now - Duration(1), window);
}

}  // namespace mlfaas::autoscale
