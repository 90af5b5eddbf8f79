#include "autoscale/bucketed_series.h"

#include <algorithm>
#include <cmath>

namespace mlfaas::autoscale {
namespace {

std::size_t whole_seconds(Duration d) {
  auto s = std::chrono::ceil<std::chrono::seconds>(d).count();
  return s < 1 ? 1 : static_cast<std::size_t>(s);
}

// Knative's roundToNDigits(6, x): floor, not round, so a value never grows past what was measured.
double floor_6_digits(double x) { return std::floor(x * 1e6) / 1e6; }

}  // namespace

BucketedSeries::BucketedSeries(Duration capacity) : buckets_(whole_seconds(capacity)) {}

BucketedSeries::Bucket* BucketedSeries::slot_for_write(std::int64_t second) {
  const auto n = static_cast<std::int64_t>(buckets_.size());
  if (!started_) {
    started_ = true;
    first_ = last_ = second;
  } else if (second <= last_ - n) {
    return nullptr;  // older than the ring
  }
  first_ = std::min(first_, second);
  last_ = std::max(last_, second);
  Bucket& b = buckets_[static_cast<std::size_t>(((second % n) + n) % n)];
  if (b.second != second) b = Bucket{second};  // slot held an older second: its data is out of every window
  return &b;
}

void BucketedSeries::add(TimePoint t, double value) {
  if (Bucket* b = slot_for_write(second_index(t))) b->sum += value;
}

void BucketedSeries::add_weighted(TimePoint t, double value, Duration held) {
  if (Bucket* b = slot_for_write(second_index(t))) {
    const double s = to_seconds(held);
    b->sum += value * s;
    b->weight += s;
  }
}

double BucketedSeries::value_at(std::int64_t second) const {
  const auto n = static_cast<std::int64_t>(buckets_.size());
  const Bucket& b = buckets_[static_cast<std::size_t>(((second % n) + n) % n)];
  return b.second == second ? b.value() : 0.0;
}

double BucketedSeries::average(TimePoint now, Duration window) const {
  if (!started_) return 0;
  const auto n = static_cast<std::int64_t>(std::min(whole_seconds(window), buckets_.size()));
  const std::int64_t newest = std::max(second_index(now), last_);
  const std::int64_t oldest = std::max(newest - n + 1, first_);
  double sum = 0;
  for (std::int64_t s = oldest; s <= newest; ++s) sum += value_at(s);
  return floor_6_digits(sum / static_cast<double>(newest - oldest + 1));
}

}  // namespace mlfaas::autoscale
