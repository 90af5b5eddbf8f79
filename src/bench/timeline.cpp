#include "bench/timeline.h"

#include <algorithm>

namespace mlfaas::bench {

Tally& Timeline::at(double t) {
  const size_t i = t > 0 ? size_t(t / width_) : 0;
  if (buckets_.size() <= i) buckets_.resize(i + 1);
  return buckets_[i];
}

void Timeline::merge(const Timeline& o) {
  if (buckets_.empty()) width_ = o.width_;
  if (buckets_.size() < o.buckets_.size()) buckets_.resize(o.buckets_.size());
  for (size_t i = 0; i < o.buckets_.size(); ++i) buckets_[i].merge(o.buckets_[i]);
}

Tally Timeline::sum(size_t first, size_t last) const {
  Tally t;
  for (size_t i = first; i < std::min(last, buckets_.size()); ++i) t.merge(buckets_[i]);
  return t;
}

}  // namespace mlfaas::bench
