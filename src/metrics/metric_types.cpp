#include "metrics/metric_types.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mlfaas::metrics {

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]))
      throw std::invalid_argument("histogram bucket bounds must be finite (+Inf is implicit)");
    if (i > 0 && !(bounds_[i] > bounds_[i - 1]))
      throw std::invalid_argument("histogram bucket bounds must be strictly increasing");
  }
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  // First bound >= v, i.e. the smallest bucket with v <= le. NaN lands in +Inf only.
  size_t i = std::isnan(v) ? bounds_.size()
                           : size_t(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  // Count is derived from the buckets so `_count` always equals the +Inf bucket, even mid-update.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> exponential_buckets(double start, double factor, size_t count) {
  if (!(start > 0) || !(factor > 1) || count == 0)
    throw std::invalid_argument("exponential_buckets needs start > 0, factor > 1, count >= 1");
  std::vector<double> b(count);
  double v = start;
  for (auto& x : b) {
    x = v;
    v *= factor;
  }
  return b;
}

std::vector<double> linear_buckets(double start, double width, size_t count) {
  if (!(width > 0) || count == 0)
    throw std::invalid_argument("linear_buckets needs width > 0, count >= 1");
  std::vector<double> b(count);
  for (size_t i = 0; i < count; ++i) b[i] = start + width * double(i);
  return b;
}

}  // namespace mlfaas::metrics
