// ConcurrencySeries: in-flight level, time-weighted into 1 s buckets.
#include <gtest/gtest.h>

#include "autoscale/concurrency_series.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

TEST(ConcurrencySeries, ConstantLevelAveragesExactlyAtAnyInstant) {
  ConcurrencySeries c(60s, at(0));
  c.record(at(0), 10);
  EXPECT_DOUBLE_EQ(c.average(at(0.5), 60s), 10);
  EXPECT_DOUBLE_EQ(c.average(at(61), 60s), 10);    // at a whole second: the last full second ends the window
  EXPECT_DOUBLE_EQ(c.average(at(90.25), 60s), 10);  // mid-second: the running second counts by its own mean
  EXPECT_DOUBLE_EQ(c.average(at(90.25), 6s), 10);
  EXPECT_EQ(c.level(), 10);
}

TEST(ConcurrencySeries, ShortRequestsCountByTheirDuration) {
  ConcurrencySeries c(60s, at(0));
  for (int sec = 0; sec < 6; ++sec) {  // one request of 250 ms in every second
    c.record(at(sec), 1);
    c.record(at(sec + 0.25), 0);
  }
  EXPECT_DOUBLE_EQ(c.average(at(6), 6s), 0.25);
}

TEST(ConcurrencySeries, YoungSeriesAveragesOverTheTimeSinceStart) {
  ConcurrencySeries c(60s, at(0));
  c.record(at(3), 100);
  EXPECT_DOUBLE_EQ(c.average(at(6), 60s), 50);  // (3 s × 0 + 3 s × 100) / 6
}

TEST(ConcurrencySeries, ABurstLeavesTheStableWindowAfterSixtySeconds) {
  ConcurrencySeries c(60s, at(0));
  c.record(at(100), 100);  // history started at 0, burst from 100 to 110
  c.record(at(110), 0);
  EXPECT_NEAR(c.average(at(110), 60s), 1000.0 / 60, 1e-6);
  EXPECT_DOUBLE_EQ(c.average(at(110), 6s), 100);
  EXPECT_DOUBLE_EQ(c.average(at(116), 6s), 0);
  EXPECT_NEAR(c.average(at(169), 60s), 100.0 / 60, 1e-6);  // second 109 is the last one inside
  EXPECT_DOUBLE_EQ(c.average(at(170), 60s), 0);
}

TEST(ConcurrencySeries, TheFirstInstantOfARequestHasNoWeightYet) {
  // Why the KPA also looks at the instantaneous in-flight count when no pod is ready.
  ConcurrencySeries c(60s, at(0));
  c.record(at(30), 1);
  EXPECT_DOUBLE_EQ(c.average(at(30), 6s), 0);
  EXPECT_EQ(c.level(), 1);
  EXPECT_NEAR(c.average(at(30.5), 6s), 1.0 / 6, 1e-6);  // the running second counts by its own mean
}

TEST(ConcurrencySeries, LongIdleIsMeasuredAsZeroNotForgotten) {
  ConcurrencySeries c(60s, at(0));
  c.record(at(3600), 6);
  EXPECT_DOUBLE_EQ(c.average(at(3601), 6s), 1);  // one busy second out of six
  EXPECT_DOUBLE_EQ(c.average(at(3601), 60s), 0.1);
}

TEST(ConcurrencySeries, NegativeLevelsAreZeroAndTimeNeverGoesBack) {
  ConcurrencySeries c(60s, at(0), 4);
  c.record(at(10), -3);
  EXPECT_EQ(c.level(), 0);
  EXPECT_DOUBLE_EQ(c.average(at(20), 60s), 2);  // 10 s at 4, 10 s at 0
  c.record(at(15), 8);  // earlier than already accounted: only the level changes
  EXPECT_DOUBLE_EQ(c.average(at(20), 60s), 2);
  EXPECT_DOUBLE_EQ(c.average(at(40), 60s), (40 + 20 * 8) / 40.0);
}

}  // namespace
}  // namespace mlfaas::autoscale
