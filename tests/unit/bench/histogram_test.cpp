// LatencyHistogram: bucket arithmetic, bounded relative error, percentiles, exact moments, merging.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "bench/histogram.h"

namespace mlfaas::bench {
namespace {

TEST(LatencyHistogram, BucketsAreContiguousAndContainTheirValues) {
  uint64_t expected_lo = 0;
  for (size_t i = 0; i < 3000; ++i) {
    auto b = LatencyHistogram::bucket_at(i);
    ASSERT_EQ(b.lo_us, expected_lo) << i;
    ASSERT_GT(b.hi_us, b.lo_us);
    EXPECT_EQ(LatencyHistogram::index_of(b.lo_us), i);
    EXPECT_EQ(LatencyHistogram::index_of(b.hi_us - 1), i);
    expected_lo = b.hi_us;
  }
}

TEST(LatencyHistogram, ExactBelow256MicrosecondsAndWithin1PercentAbove) {
  for (uint64_t v = 0; v < 256; ++v) {
    auto b = LatencyHistogram::bucket_at(LatencyHistogram::index_of(v));
    EXPECT_EQ(b.lo_us, v);
    EXPECT_EQ(b.hi_us, v + 1);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = 256 + rng() % (uint64_t(1) << 34);  // up to ~4.7 hours
    auto b = LatencyHistogram::bucket_at(LatencyHistogram::index_of(v));
    ASSERT_LE(b.lo_us, v);
    ASSERT_LT(v, b.hi_us);
    ASSERT_LE(double(b.hi_us - b.lo_us) / double(b.lo_us), 1.0 / 128 + 1e-12) << v;
  }
}

TEST(LatencyHistogram, PercentilesOfAKnownDistribution) {
  LatencyHistogram h;
  for (int v = 1; v <= 10000; ++v) h.record(double(v) * 100);  // 100 µs .. 1 s, uniform
  EXPECT_EQ(h.count(), 10000u);
  for (double p : {1.0, 10.0, 50.0, 75.0, 90.0, 99.0, 99.9}) {
    const double exact = p / 100 * 10000 * 100;
    EXPECT_NEAR(h.percentile(p), exact, exact * 0.005) << "p" << p;
  }
  EXPECT_DOUBLE_EQ(h.percentile(0), 100);
  EXPECT_DOUBLE_EQ(h.percentile(100), 1e6);
  EXPECT_DOUBLE_EQ(h.min(), 100);
  EXPECT_DOUBLE_EQ(h.max(), 1e6);
}

TEST(LatencyHistogram, PercentilesOfAStepDistribution) {
  // 80% at 5 ms, 15% at 20 ms, 5% at 50 ms.
  LatencyHistogram h;
  for (int i = 0; i < 800; ++i) h.record(5000);
  for (int i = 0; i < 150; ++i) h.record(20000);
  for (int i = 0; i < 50; ++i) h.record(50000);
  EXPECT_NEAR(h.percentile(50), 5000, 50);
  EXPECT_NEAR(h.percentile(80), 5000, 50);
  EXPECT_NEAR(h.percentile(80.1), 20000, 200);
  EXPECT_NEAR(h.percentile(95), 20000, 200);
  EXPECT_NEAR(h.percentile(95.1), 50000, 500);
  EXPECT_NEAR(h.percentile(99.9), 50000, 500);
}

TEST(LatencyHistogram, MeanAndStdevAreExact) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> dist(9, 1);
  std::vector<double> v;
  LatencyHistogram h;
  for (int i = 0; i < 50000; ++i) {
    v.push_back(dist(rng));
    h.record(v.back());
  }
  double mean = 0;
  for (double x : v) mean += x;
  mean /= double(v.size());
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  var /= double(v.size());
  EXPECT_NEAR(h.mean(), mean, mean * 1e-9);
  EXPECT_NEAR(h.stdev(), std::sqrt(var), std::sqrt(var) * 1e-9);
  EXPECT_DOUBLE_EQ(h.max(), *std::max_element(v.begin(), v.end()));
  EXPECT_DOUBLE_EQ(h.min(), *std::min_element(v.begin(), v.end()));
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(5);
  std::exponential_distribution<double> dist(1.0 / 20000);
  LatencyHistogram a, b, all;
  for (int i = 0; i < 20000; ++i) {
    double x = dist(rng);
    (i % 3 ? a : b).record(x);
    all.record(x);
  }
  LatencyHistogram merged = a;
  merged.merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_NEAR(merged.mean(), all.mean(), all.mean() * 1e-9);
  EXPECT_NEAR(merged.stdev(), all.stdev(), all.stdev() * 1e-9);
  for (double p : {50.0, 90.0, 99.0, 99.9}) EXPECT_DOUBLE_EQ(merged.percentile(p), all.percentile(p));
  ASSERT_EQ(merged.buckets().size(), all.buckets().size());

  LatencyHistogram empty;
  empty.merge(all);
  EXPECT_DOUBLE_EQ(empty.percentile(99), all.percentile(99));
  all.merge(LatencyHistogram{});
  EXPECT_EQ(all.count(), 20000u);
}

TEST(LatencyHistogram, EmptyAndOutOfRangeValues) {
  LatencyHistogram h;
  EXPECT_EQ(h.percentile(50), 0);
  EXPECT_EQ(h.mean(), 0);
  EXPECT_EQ(h.stdev(), 0);
  h.record(-5);  // clock skew never yields a negative bucket
  h.record(1e15);  // beyond the trackable range: last bucket, exact max
  EXPECT_EQ(h.count(), 2u);
  EXPECT_DOUBLE_EQ(h.max(), 1e15);
  EXPECT_DOUBLE_EQ(h.percentile(100), 1e15);
}

TEST(LatencyHistogram, RecordNAndBucketsRoundTrip) {
  LatencyHistogram h;
  h.record_n(1000, 5);
  h.record_n(3000, 5);
  EXPECT_EQ(h.count(), 10u);
  EXPECT_DOUBLE_EQ(h.mean(), 2000);
  EXPECT_DOUBLE_EQ(h.stdev(), 1000);
  auto b = h.buckets();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].count, 5u);
  EXPECT_DOUBLE_EQ(h.fraction_between(0, 2000), 0.5);
}

}  // namespace
}  // namespace mlfaas::bench
