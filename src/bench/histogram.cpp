#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace mlfaas::bench {
namespace {

constexpr uint64_t kSub = uint64_t(1) << LatencyHistogram::kSubBucketBits;  // 128
constexpr uint64_t kLinearEnd = 2 * kSub;                                    // values below are exact

uint64_t to_bucket_value(double us) {
  if (!(us > 0)) return 0;  // also NaN
  if (us >= double(LatencyHistogram::kMaxTrackableUs)) return LatencyHistogram::kMaxTrackableUs;
  return uint64_t(us);
}

}  // namespace

size_t LatencyHistogram::index_of(uint64_t v) {
  v = std::min(v, kMaxTrackableUs);
  if (v < kLinearEnd) return size_t(v);
  const int msb = 63 - std::countl_zero(v);  // >= 8
  const int shift = msb - kSubBucketBits;   // >= 1
  return size_t(kLinearEnd + uint64_t(msb - kSubBucketBits - 1) * kSub + ((v >> shift) - kSub));
}

LatencyHistogram::Bucket LatencyHistogram::bucket_at(size_t index) {
  if (index < kLinearEnd) return {index, index + 1, 0};
  const uint64_t k = index - kLinearEnd;
  const int shift = int(k / kSub) + 1;
  const uint64_t lo = (kSub + k % kSub) << shift;
  return {lo, lo + (uint64_t(1) << shift), 0};
}

void LatencyHistogram::record(double us) { record_n(us, 1); }

void LatencyHistogram::record_n(double us, uint64_t n) {
  if (n == 0) return;
  if (!(us > 0)) us = 0;
  const size_t i = index_of(to_bucket_value(us));
  if (counts_.size() <= i) counts_.resize(i + 1, 0);
  counts_[i] += n;
  // Merge a block of n equal values (mean us, no spread) into the running moments.
  if (count_ == 0) {
    count_ = n;
    mean_ = min_ = max_ = us;
    m2_ = 0;
    return;
  }
  const double total = double(count_ + n);
  const double delta = us - mean_;
  mean_ += delta * double(n) / total;
  m2_ += delta * delta * double(count_) * double(n) / total;
  count_ += n;
  min_ = std::min(min_, us);
  max_ = std::max(max_, us);
}

void LatencyHistogram::merge(const LatencyHistogram& o) {
  if (o.count_ == 0) return;
  if (counts_.size() < o.counts_.size()) counts_.resize(o.counts_.size(), 0);
  for (size_t i = 0; i < o.counts_.size(); ++i) counts_[i] += o.counts_[i];
  if (count_ == 0) {
    count_ = o.count_;
    mean_ = o.mean_;
    m2_ = o.m2_;
    min_ = o.min_;
    max_ = o.max_;
    return;
  }
  const double na = double(count_), nb = double(o.count_), n = na + nb;
  const double delta = o.mean_ - mean_;
  mean_ += delta * nb / n;
  m2_ += o.m2_ + delta * delta * na * nb / n;
  count_ += o.count_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

double LatencyHistogram::stdev() const { return count_ ? std::sqrt(std::max(0.0, m2_ / double(count_))) : 0; }

double LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (p <= 0) return min_;
  if (p >= 100) return max_;
  const uint64_t rank = std::max<uint64_t>(1, uint64_t(std::ceil(p / 100.0 * double(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      auto b = bucket_at(i);
      return std::clamp(0.5 * double(b.lo_us + b.hi_us), min_, max_);
    }
  }
  return max_;
}

double LatencyHistogram::fraction_between(double lo, double hi) const {
  if (count_ == 0) return 0;
  uint64_t inside = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (!counts_[i]) continue;
    auto b = bucket_at(i);
    double mid = 0.5 * double(b.lo_us + b.hi_us);
    if (mid >= lo && mid <= hi) inside += counts_[i];
  }
  return double(inside) / double(count_);
}

std::vector<LatencyHistogram::Bucket> LatencyHistogram::buckets() const {
  std::vector<Bucket> out;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (!counts_[i]) continue;
    auto b = bucket_at(i);
    b.count = counts_[i];
    out.push_back(b);
  }
  return out;
}

}  // namespace mlfaas::bench
