// BucketedSeries: 1 s buckets, partial (young) windows, gaps, bucket boundaries, rates.
#include <gtest/gtest.h>

#include "autoscale/bucketed_series.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

TEST(BucketedSeries, EmptySeriesAveragesZero) {
  BucketedSeries s(60s);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.average(at(10)), 0.0);
}

TEST(BucketedSeries, YoungSeriesAveragesOverTheSecondsSinceItsFirstWrite) {
  BucketedSeries s(60s);
  s.add(at(0), 10);
  EXPECT_DOUBLE_EQ(s.average(at(0)), 10);      // one bucket so far, not 10/60
  EXPECT_DOUBLE_EQ(s.average(at(0.9)), 10);
  s.add(at(1), 20);
  EXPECT_DOUBLE_EQ(s.average(at(1)), 15);      // (10 + 20) / 2
  EXPECT_DOUBLE_EQ(s.average(at(2.5)), 10);    // (10 + 20 + 0) / 3: a second without data is a zero
  EXPECT_DOUBLE_EQ(s.average(at(59)), 0.5);    // 30 / 60
}

TEST(BucketedSeries, FirstWriteMidSecondStartsAtThatSecondsBucket) {
  BucketedSeries s(10s);
  s.add(at(3.7), 4);
  EXPECT_DOUBLE_EQ(s.average(at(4.2)), 2);  // buckets 3 and 4
}

TEST(BucketedSeries, FullWindowCountsSecondsWithoutDataAsZero) {
  BucketedSeries s(60s);
  for (int i = 0; i < 60; ++i) s.add(at(i), 6);
  EXPECT_DOUBLE_EQ(s.average(at(59)), 6);
  EXPECT_DOUBLE_EQ(s.average(at(60)), 5.9);  // bucket 0 left, bucket 60 empty
  EXPECT_DOUBLE_EQ(s.average(at(89)), 3);    // trailing silence counts too
  EXPECT_DOUBLE_EQ(s.average(at(119)), 0);
  EXPECT_DOUBLE_EQ(s.average(at(5000)), 0);
}

TEST(BucketedSeries, GapInTheMiddleIsZero) {
  BucketedSeries s(10s);
  s.add(at(0), 10);
  s.add(at(9), 30);
  EXPECT_DOUBLE_EQ(s.average(at(9)), 4);  // (10 + 8×0 + 30) / 10
  s.add(at(10), 0);
  EXPECT_DOUBLE_EQ(s.average(at(10)), 3);  // bucket 0 slid out
}

TEST(BucketedSeries, BucketBoundariesAreWholeSeconds) {
  BucketedSeries s(10s);
  s.add(at(0), 0);
  s.add(at(100.999999999), 1);  // last nanosecond of second 100
  s.add(at(101), 3);            // first nanosecond of second 101
  EXPECT_DOUBLE_EQ(s.average(at(101.5), 1s), 3);
  EXPECT_DOUBLE_EQ(s.average(at(101.5), 2s), 2);
  EXPECT_DOUBLE_EQ(s.average(at(100.5), 1s), 3);  // asked before the last write: answered as of it
}

TEST(BucketedSeries, ValuesLeaveTheWindowExactlyAfterItsLength) {
  BucketedSeries s(60s);
  s.add(at(0), 0);
  s.add(at(20), 60);
  EXPECT_DOUBLE_EQ(s.average(at(29), 10s), 6);
  EXPECT_DOUBLE_EQ(s.average(at(29.99), 10s), 6);
  EXPECT_DOUBLE_EQ(s.average(at(30), 10s), 0);
  EXPECT_NEAR(s.average(at(30), 60s), 60.0 / 31, 1e-6);  // young for the 60 s view: 31 buckets so far
}

TEST(BucketedSeries, WindowRoundsUpToWholeBucketsAndIsCappedAtCapacity) {
  BucketedSeries s(6s);
  for (int i = 0; i < 6; ++i) s.add(at(i), i);
  EXPECT_DOUBLE_EQ(s.average(at(5), 1500ms), 4.5);  // 2 buckets: 4 and 5
  EXPECT_DOUBLE_EQ(s.average(at(5), 60s), 2.5);     // only 6 buckets kept
  EXPECT_EQ(s.capacity(), 6s);
}

TEST(BucketedSeries, CountsPerBucketGiveRequestsPerSecond) {
  BucketedSeries rps(10s);
  rps.add(at(0), 0);
  for (int sec = 0; sec < 20; ++sec)
    for (int i = 0; i < 50; ++i) rps.add(at(sec + i / 50.0), 1);
  EXPECT_DOUBLE_EQ(rps.average(at(19.99)), 50);
  EXPECT_DOUBLE_EQ(rps.average(at(24)), 25);  // 5 silent seconds out of 10
}

TEST(BucketedSeries, NeverResetsAfterASilentWindow) {
  // Knative restarts the partial window after a silent window; we treat silence as measured zeros,
  // so one busy second after a long pause is not mistaken for a sustained rate.
  BucketedSeries s(6s);
  s.add(at(0), 0);
  s.add(at(200), 6);
  EXPECT_DOUBLE_EQ(s.average(at(200)), 1);
}

TEST(BucketedSeries, LateWritesLandInTheirBucketAndTooOldOnesAreDropped) {
  BucketedSeries s(10s);
  s.add(at(0), 0);
  s.add(at(20), 10);
  s.add(at(15), 10);  // late but within the ring
  s.add(at(5), 1000);  // older than the ring
  EXPECT_DOUBLE_EQ(s.average(at(20)), 2);
}

TEST(BucketedSeries, WeightedBucketHoldsTheDurationWeightedMean) {
  BucketedSeries s(10s);
  s.add_weighted(at(0), 10, 500ms);
  s.add_weighted(at(0.5), 20, 500ms);
  EXPECT_DOUBLE_EQ(s.average(at(0.99)), 15);
  BucketedSeries partial(10s);
  partial.add_weighted(at(0), 8, 250ms);  // only a quarter of the second seen: its mean is 8, not 2
  EXPECT_DOUBLE_EQ(partial.average(at(0.25)), 8);
}

TEST(BucketedSeries, AveragesAreFlooredToSixDigitsSoFloatNoiseCannotAddAPod) {
  BucketedSeries s(10s);
  for (int i = 0; i < 3; ++i) s.add(at(0), 0.1);  // 0.30000000000000004 in doubles
  EXPECT_EQ(s.average(at(0)), 0.3);
  BucketedSeries w(10s);
  for (int i = 0; i < 10; ++i) w.add_weighted(at(i / 10.0), 70, 100ms);  // 70.00000000000001 unfloored
  EXPECT_EQ(w.average(at(0.99)), 70.0);
}

}  // namespace
}  // namespace mlfaas::autoscale
