// KPA stable-mode arithmetic (Knative Scale()): the documented example, rate clamps, activation scale,
// bounds, initial scale, scale-down delay, excess burst capacity.
#include <gtest/gtest.h>

#include <algorithm>

#include "autoscale/kpa_autoscaler.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

KpaConfig cc(int container_concurrency) {
  KpaConfig c;
  c.container_concurrency = container_concurrency;
  return c;
}

TEST(KpaScaling, DocumentedExampleHundredConcurrentIsFifteenPods) {
  KpaAutoscaler kpa(cc(10), kT0);
  const Decision d = kpa.decide(at(2), observed(100, 100, 15));
  EXPECT_EQ(d.desired_pods, 15);  // ceil(100 / (10 × 0.7)) = ceil(14.29)
  EXPECT_FALSE(d.in_panic);
  EXPECT_NE(d.reason.find("stable mode"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("15 pods"), std::string::npos) << d.reason;
}

TEST(KpaScaling, DocumentedExampleEndToEndSettlesAtFifteenInStableMode) {
  KpaRun run(cc(10), 1);
  run.hold(100, 240s);
  // It arrives all at once: the first tick already panics to the full 15 (max-scale-up-rate 1000).
  EXPECT_EQ(run.trace.front().desired_pods, 15);
  EXPECT_TRUE(run.trace.front().in_panic);
  for (const Decision& d : run.trace) EXPECT_EQ(d.desired_pods, 15) << d.reason;
  // After a stable window without being over the threshold, it is plain stable mode at 15.
  EXPECT_FALSE(run.last.in_panic);
  EXPECT_EQ(run.last.desired_pods, 15);
}

TEST(KpaScaling, SuddenLoadOnAnIdleFunctionRampsThroughPanicWithinTheSixSecondWindow) {
  KpaConfig c = cc(10);
  c.min_scale = 1;
  KpaRun run(c, 1);
  run.hold(0, 120s);
  ASSERT_EQ(run.last.desired_pods, 1);
  run.trace.clear();
  run.hold(100, 6s);  // panic window fills: 33, 67, 100 concurrent → 5, 10, 15 pods
  ASSERT_EQ(run.trace.size(), 3u);
  EXPECT_EQ(run.trace[0].desired_pods, 5);
  EXPECT_EQ(run.trace[1].desired_pods, 10);
  EXPECT_EQ(run.trace[2].desired_pods, 15);
  for (const Decision& d : run.trace) EXPECT_TRUE(d.in_panic) << d.reason;
  run.hold(100, 70s);
  EXPECT_FALSE(run.last.in_panic);
  EXPECT_EQ(run.last.desired_pods, 15);
}

TEST(KpaScaling, MaxScaleUpRateBoundsOneDecision) {
  KpaAutoscaler kpa(cc(10), kT0);
  EXPECT_EQ(kpa.decide(at(2), observed(1e7, 1e7, 1)).desired_pods, 1000);  // ceil(1000 × 1)
  EXPECT_EQ(kpa.decide(at(4), observed(1e7, 1e7, 3)).desired_pods, 3000);
}

TEST(KpaScaling, SmallScaleUpRateStillAllowsOneMorePod) {
  KpaConfig c = cc(1);  // target max(1, 0.7) = 1
  c.max_scale_up_rate = 1.1;
  KpaAutoscaler kpa(c, kT0);
  EXPECT_EQ(kpa.decide(at(2), observed(3, 3, 2)).desired_pods, 3);  // ceil(1.1 × 2) = 3, not 2
  KpaAutoscaler capped(c, kT0);
  const Decision d = capped.decide(at(2), observed(5, 5, 2));
  EXPECT_EQ(d.desired_pods, 3);
  EXPECT_NE(d.reason.find("max-scale-up-rate allows 3"), std::string::npos) << d.reason;
}

TEST(KpaScaling, MaxScaleDownRateHalvesAtMostPerDecision) {
  KpaConfig c = cc(10);
  c.enable_scale_to_zero = false;
  KpaAutoscaler kpa(c, kT0);
  EXPECT_EQ(kpa.decide(at(2), observed(0, 0, 10)).desired_pods, 5);
  EXPECT_EQ(kpa.decide(at(4), observed(0, 0, 5)).desired_pods, 2);
  EXPECT_EQ(kpa.decide(at(6), observed(0, 0, 2)).desired_pods, 1);
  EXPECT_EQ(kpa.decide(at(8), observed(0, 0, 1)).desired_pods, 1);  // scale-to-zero disabled
  EXPECT_NE(kpa.decide(at(10), observed(0, 0, 9)).reason.find("max-scale-down-rate"), std::string::npos);
}

TEST(KpaScaling, MaxScaleDownRateIsConfigurable) {
  KpaConfig c = cc(10);
  c.max_scale_down_rate = 4;
  c.min_scale = 1;
  KpaAutoscaler kpa(c, kT0);
  EXPECT_EQ(kpa.decide(at(2), observed(0, 0, 10)).desired_pods, 2);  // floor(10 / 4)
}

TEST(KpaScaling, UnreachableFunctionDropsWithoutTheDownRateOrMinScale) {
  KpaConfig c = cc(10);
  c.min_scale = 3;
  KpaAutoscaler kpa(c, kT0);
  Observed o = observed(7, 7, 10);
  EXPECT_EQ(kpa.decide(at(2), o).desired_pods, 5);  // reachable: floor(10 / 2)
  o.reachable = false;
  EXPECT_EQ(kpa.decide(at(4), o).desired_pods, 1);  // ceil(7 / 7), no down-rate bound, min ignored
}

TEST(KpaScaling, ActivationScaleRaisesAnyNonZeroDemand) {
  KpaConfig c = cc(10);
  c.activation_scale = 3;
  c.min_scale = 1;
  KpaAutoscaler kpa(c, kT0);
  const Decision d = kpa.decide(at(2), observed(0.5, 0.5, 1));
  EXPECT_EQ(d.desired_pods, 3);
  EXPECT_NE(d.reason.find("activation-scale 3"), std::string::npos) << d.reason;
  EXPECT_EQ(kpa.decide(at(4), observed(0, 0, 3)).desired_pods, 1);  // no demand: no activation floor
  EXPECT_EQ(kpa.decide(at(6), observed(30, 30, 3)).desired_pods, 5);  // above it: the plain count
}

TEST(KpaScaling, ActivationScaleAppliesInPanicToo) {
  KpaConfig c = cc(10);
  c.activation_scale = 4;
  KpaAutoscaler kpa(c, kT0);
  const Decision d = kpa.decide(at(2), observed(0, 14, 1));  // dppc 2 → panic
  EXPECT_TRUE(d.in_panic);
  EXPECT_EQ(d.desired_pods, 4);
}

TEST(KpaScaling, MinAndMaxScaleBoundTheResult) {
  KpaConfig c = cc(10);
  c.min_scale = 2;
  c.max_scale = 10;
  KpaAutoscaler kpa(c, kT0);
  EXPECT_EQ(kpa.decide(at(2), observed(0, 0, 2)).desired_pods, 2);
  const Decision up = kpa.decide(at(4), observed(1000, 1000, 2));
  EXPECT_EQ(up.desired_pods, 10);
  EXPECT_NE(up.reason.find("max-scale 10"), std::string::npos) << up.reason;
  // Max counts pods still starting: with 3 of 10 ready the answer stays 10, not 3 + more.
  EXPECT_EQ(kpa.decide(at(6), observed(1000, 1000, 3)).desired_pods, 10);
}

TEST(KpaScaling, MaxScaleLimitCapsUnlimited) {
  KpaConfig c = cc(10);
  c.max_scale_limit = 20;
  KpaAutoscaler kpa(c, kT0);
  EXPECT_EQ(kpa.decide(at(2), observed(1e6, 1e6, 1)).desired_pods, 20);
}

TEST(KpaScaling, InitialScaleHoldsUntilReachedOnce) {
  KpaConfig c = cc(10);
  c.initial_scale = 3;
  KpaAutoscaler kpa(c, kT0);
  Decision d = kpa.decide(at(2), observed(0, 0, 0));
  EXPECT_EQ(d.desired_pods, 3);
  EXPECT_NE(d.reason.find("initial-scale 3 not reached yet"), std::string::npos) << d.reason;
  EXPECT_EQ(kpa.decide(at(4), observed(0, 0, 2)).desired_pods, 3);
  EXPECT_EQ(kpa.decide(at(6), observed(0, 0, 3)).desired_pods, 3);  // reached now
  EXPECT_EQ(kpa.decide(at(8), observed(0, 0, 3)).desired_pods, 1);  // from here on only min-scale (0) holds
}

TEST(KpaScaling, InitialScaleAndMinScaleTheLargerWins) {
  KpaConfig c = cc(10);
  c.initial_scale = 2;
  c.min_scale = 4;
  KpaAutoscaler kpa(c, kT0);
  EXPECT_EQ(kpa.decide(at(2), observed(0, 0, 0)).desired_pods, 4);
  KpaConfig d = cc(10);
  d.initial_scale = 5;
  d.min_scale = 2;
  KpaAutoscaler kpa2(d, kT0);
  EXPECT_EQ(kpa2.decide(at(2), observed(0, 0, 0)).desired_pods, 5);
  EXPECT_EQ(kpa2.decide(at(4), observed(0, 0, 5)).desired_pods, 5);
  EXPECT_EQ(kpa2.decide(at(6), observed(0, 0, 5)).desired_pods, 2);
}

TEST(KpaScaling, InitialScaleZeroOnlyWhenAllowed) {
  KpaConfig c = cc(10);
  c.initial_scale = 0;
  EXPECT_EQ(KpaAutoscaler(c, kT0).decide(at(0), observed(0, 0, 0)).desired_pods, 1);
  c.allow_zero_initial_scale = true;
  EXPECT_EQ(KpaAutoscaler(c, kT0).decide(at(0), observed(0, 0, 0)).desired_pods, 0);
}

TEST(KpaScaling, ScaleDownDelayHoldsTheMaximumOfTheDelayWindow) {
  KpaConfig c = cc(10);
  c.scale_down_delay = 10s;
  KpaAutoscaler kpa(c, kT0);
  EXPECT_EQ(kpa.decide(at(0), observed(70, 70, 10)).desired_pods, 10);
  for (int t = 2; t <= 8; t += 2) {
    const Decision d = kpa.decide(at(t), observed(35, 35, 10));  // demand for 5 pods
    EXPECT_EQ(d.desired_pods, 10) << "t=" << t;
    EXPECT_NE(d.reason.find("scale-down-delay 10s: holding 10"), std::string::npos) << d.reason;
  }
  EXPECT_EQ(kpa.decide(at(10), observed(35, 35, 10)).desired_pods, 5);  // 10 s after the last 10
  EXPECT_EQ(kpa.decide(at(12), observed(49, 49, 5)).desired_pods, 7);   // going up is never delayed
}

TEST(KpaScaling, WithoutScaleDownDelayTheDropIsImmediate) {
  KpaAutoscaler kpa(cc(10), kT0);
  EXPECT_EQ(kpa.decide(at(0), observed(70, 70, 10)).desired_pods, 10);
  EXPECT_EQ(kpa.decide(at(2), observed(35, 35, 10)).desired_pods, 5);
}

TEST(KpaScaling, ExcessBurstCapacity) {
  KpaAutoscaler kpa(cc(10), kT0);
  EXPECT_EQ(kpa.decide(at(2), observed(100, 100, 15)).excess_burst_capacity, -150);  // 150 − 200 − 100
  EXPECT_EQ(kpa.decide(at(4), observed(100, 100, 50)).excess_burst_capacity, 200);   // 500 − 200 − 100
  EXPECT_EQ(kpa.decide(at(6), observed(0, 0, 0)).excess_burst_capacity, -200);  // actual ready count, not max(1, …)
  KpaConfig zero = cc(10);
  zero.target_burst_capacity = 0;
  EXPECT_EQ(KpaAutoscaler(zero, kT0).decide(at(2), observed(100, 100, 15)).excess_burst_capacity, 0);
  KpaConfig always = cc(10);
  always.target_burst_capacity = -1;
  EXPECT_EQ(KpaAutoscaler(always, kT0).decide(at(2), observed(0, 0, 50)).excess_burst_capacity, -1);
}

TEST(KpaScaling, RpsMetricScalesOnRequestRate) {
  KpaConfig c;
  c.metric = Metric::rps;
  KpaAutoscaler kpa(c, kT0);
  EXPECT_EQ(kpa.decide(at(2), observed(1400, 1400, 10)).desired_pods, 10);  // 1400 / 140
  EXPECT_EQ(kpa.decide(at(4), observed(1401, 1401, 10)).desired_pods, 11);
}

}  // namespace
}  // namespace mlfaas::autoscale
