#pragma once
// A run cut into equal time buckets (one second for the timeline, a measurement window for sweeps),
// each with its own Tally. A request lands in the bucket of the moment it completed.
#include <vector>

#include "bench/tally.h"

namespace mlfaas::bench {

class Timeline {
 public:
  explicit Timeline(double bucket_seconds = 1.0) : width_(bucket_seconds) {}

  double bucket_seconds() const { return width_; }
  // The bucket holding time `t` (seconds since the timeline's origin; negative times go to bucket 0).
  Tally& at(double t);
  void merge(const Timeline& other);  // same bucket width (an empty timeline takes the other's)

  size_t size() const { return buckets_.size(); }
  const Tally& bucket(size_t i) const { return buckets_[i]; }
  const std::vector<Tally>& buckets() const { return buckets_; }
  // Tally of buckets [first, last).
  Tally sum(size_t first, size_t last) const;

 private:
  double width_;
  std::vector<Tally> buckets_;
};

}  // namespace mlfaas::bench
