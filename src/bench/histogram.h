#pragma once
// Latency histogram in the HdrHistogram style: log-linear buckets over integer microseconds, so any
// recorded value is known to within 1/128 (0.8%) from 256 µs up to hours, and exactly below that.
// Histograms from several threads merge by adding counts, so percentiles of a whole run are the
// percentiles of all its requests, never an average of per-thread percentiles. Mean, standard
// deviation, min and max are exact (running moments, mergeable with Chan's formula).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlfaas::bench {

class LatencyHistogram {
 public:
  // 2^7 = 128 linear sub-buckets per power of two.
  static constexpr int kSubBucketBits = 7;
  // Values above this (~19 hours) share the last bucket; max() stays exact.
  static constexpr uint64_t kMaxTrackableUs = uint64_t(1) << 36;

  struct Bucket {
    uint64_t lo_us;  // the bucket holds values v (µs) with lo_us <= v < hi_us
    uint64_t hi_us;
    uint64_t count;
  };

  void record(double us);
  // Records `count` values all equal to `us` (rebuilding a histogram from its buckets).
  void record_n(double us, uint64_t count);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  double min() const { return count_ ? min_ : 0; }
  double max() const { return count_ ? max_ : 0; }
  double mean() const { return count_ ? mean_ : 0; }
  double stdev() const;  // population standard deviation, like wrk
  // The value below which `p` percent of the recorded values fall (0 <= p <= 100): the midpoint of
  // the bucket holding that rank, clamped to [min, max] so p0 and p100 are exact.
  double percentile(double p) const;
  // Fraction of values within [lo, hi] µs, counting whole buckets whose midpoint falls inside.
  double fraction_between(double lo_us, double hi_us) const;
  // Non-empty buckets, in increasing order.
  std::vector<Bucket> buckets() const;

  // Bucket arithmetic, public for tests.
  static size_t index_of(uint64_t us);
  static Bucket bucket_at(size_t index);

 private:
  std::vector<uint64_t> counts_;  // grows up to the highest index used
  uint64_t count_ = 0;
  double mean_ = 0, m2_ = 0, min_ = 0, max_ = 0;
};

}  // namespace mlfaas::bench
