#pragma once
// A ring of 1-second buckets answering "average per second over the last W seconds": Knative's
// aggregation.TimedFloat64Buckets with BucketSize = 1s (KS pkg/autoscaler/aggregation/bucketing.go).
//
// Two ways to record (use one per series):
//   add(t, v)             sums v into t's bucket. For counts (requests), so the average is a rate/s.
//   add_weighted(t, v, d) v held for duration d; a bucket's value is the duration-weighted mean of what
//                         it received (in-flight concurrency, see ConcurrencySeries).
//
// average(now, W) = (sum of the bucket values of the W one-second buckets ending with now's bucket)
//                   / (number of those buckets the series has existed for).
//   - Gaps: once the series has been running for W seconds, a bucket with no data counts as zero, at
//     the start, middle or end of the window. The gateway measures demand all the time, so a second
//     without requests is a real zero. (Knative instead shrinks the divisor for trailing empty buckets;
//     its scraper writes every second, so only a failed scrape leaves such a gap.)
//   - Young series: while the first write is less than W buckets old, the average is over the buckets
//     from the first write's to now's, both included (Knative's partial window). Buckets before the
//     first write are not counted as zeros.
//   - Knative resets the first write after a window without writes; we never do (same reason: silence
//     is data here). Otherwise the first request after an idle minute would be averaged over a
//     one-second window and look like a burst.
//   - now's bucket counts as a whole bucket although the second is still running (as in Knative).
//   - Writes older than the ring are dropped; a query earlier than the last write answers as of the
//     last write.
// Results are floored to 6 decimals, as Knative does, so float noise (70.0000000001) cannot add a pod
// through ceil().
#include <cstdint>
#include <vector>

#include "autoscale/clock.h"

namespace mlfaas::autoscale {

class BucketedSeries {
 public:
  // `capacity`: the longest window this series can answer (rounded up to whole seconds, at least 1).
  explicit BucketedSeries(Duration capacity);

  void add(TimePoint t, double value);
  void add_weighted(TimePoint t, double value, Duration held);

  // Average over the last `window` (rounded up to whole buckets, capped at the capacity).
  double average(TimePoint now, Duration window) const;
  double average(TimePoint now) const { return average(now, capacity()); }

  Duration capacity() const { return std::chrono::seconds(buckets_.size()); }
  bool empty() const { return !started_; }

 private:
  struct Bucket {
    std::int64_t second = 0;  // which second this slot currently holds
    double sum = 0;           // sum of values, or of value × seconds for weighted writes
    double weight = 0;        // seconds covered by weighted writes; 0 for plain sums
    double value() const { return weight > 0 ? sum / weight : sum; }
  };
  Bucket* slot_for_write(std::int64_t second);
  double value_at(std::int64_t second) const;

  std::vector<Bucket> buckets_;
  bool started_ = false;
  std::int64_t first_ = 0;  // first second written
  std::int64_t last_ = 0;   // latest second written
};

}  // namespace mlfaas::autoscale
