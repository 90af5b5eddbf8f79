// KPA panic mode: entry at the threshold, extension, no scale-down, exit after a stable window, start in
// panic after a restart, and flapping load (knative/serving#3153, #9121, #10275).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "autoscale/kpa_autoscaler.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

KpaConfig cc10() {
  KpaConfig c;
  c.container_concurrency = 10;  // target 7 per pod
  return c;
}

TEST(KpaPanic, EntersAtTwiceTheCurrentCapacityAndNotBelow) {
  KpaAutoscaler at_threshold(cc10(), kT0);
  const Decision d = at_threshold.decide(at(2), observed(0, 70, 5));  // 10 pods wanted / 5 ready = 2.0
  EXPECT_TRUE(d.in_panic);
  EXPECT_EQ(d.desired_pods, 10);
  EXPECT_NE(d.reason.find("panic mode"), std::string::npos) << d.reason;
  KpaAutoscaler below(cc10(), kT0);
  EXPECT_FALSE(below.decide(at(2), observed(0, 63, 5)).in_panic);  // 9 / 5 = 1.8
}

TEST(KpaPanic, ThresholdIsConfigurable) {
  KpaConfig c = cc10();
  c.panic_threshold_percentage = 300;
  KpaAutoscaler kpa(c, kT0);
  EXPECT_FALSE(kpa.decide(at(2), observed(0, 70, 5)).in_panic);
  EXPECT_TRUE(kpa.decide(at(4), observed(0, 105, 5)).in_panic);  // 15 / 5 = 3
}

TEST(KpaPanic, StaysWhileOverAndNeverScalesDown) {
  KpaAutoscaler kpa(cc10(), kT0);
  EXPECT_EQ(kpa.decide(at(0), observed(0, 70, 1)).desired_pods, 10);
  EXPECT_EQ(kpa.decide(at(2), observed(0, 210, 10)).desired_pods, 30);
  EXPECT_EQ(kpa.decide(at(4), observed(0, 420, 30)).desired_pods, 60);
  const Decision d = kpa.decide(at(6), observed(0, 70, 60));  // demand fell to 10 pods' worth
  EXPECT_TRUE(d.in_panic);
  EXPECT_EQ(d.desired_pods, 60);
  EXPECT_NE(d.reason.find("no scale-down in panic: holding 60"), std::string::npos) << d.reason;
}

TEST(KpaPanic, LeavesOnlyAfterAFullStableWindowBelowThresholdThenScalesDownByRate) {
  KpaAutoscaler kpa(cc10(), kT0);
  ASSERT_TRUE(kpa.decide(at(0), observed(0, 70, 1)).in_panic);  // last time over: t = 0
  for (int t = 2; t <= 60; t += 2) {
    const Decision d = kpa.decide(at(t), observed(0, 0, 10));  // no demand at all
    EXPECT_TRUE(d.in_panic) << "t=" << t;
    EXPECT_EQ(d.desired_pods, 10) << "t=" << t;
  }
  Decision d = kpa.decide(at(62), observed(0, 0, 10));  // 0 + 60 s < 62 s
  EXPECT_FALSE(d.in_panic);
  EXPECT_EQ(d.desired_pods, 5);  // max-scale-down-rate 2
  EXPECT_EQ(kpa.decide(at(64), observed(0, 0, 5)).desired_pods, 2);
  EXPECT_EQ(kpa.decide(at(66), observed(0, 0, 2)).desired_pods, 1);
}

TEST(KpaPanic, EveryTickStillOverExtendsIt) {
  KpaAutoscaler kpa(cc10(), kT0);
  kpa.decide(at(0), observed(0, 70, 1));
  EXPECT_EQ(kpa.decide(at(30), observed(0, 140, 10)).desired_pods, 20);  // over again at 30
  EXPECT_TRUE(kpa.decide(at(90), observed(0, 0, 20)).in_panic);
  const Decision d = kpa.decide(at(92), observed(0, 0, 20));
  EXPECT_FALSE(d.in_panic);
  EXPECT_EQ(d.desired_pods, 10);
}

TEST(KpaPanic, StableAboveAQuietPanicWindowStillCounts) {
  KpaAutoscaler kpa(cc10(), kT0);
  kpa.decide(at(0), observed(0, 70, 1));
  const Decision d = kpa.decide(at(2), observed(140, 0, 10));  // the burst has moved into the stable average
  EXPECT_TRUE(d.in_panic);
  EXPECT_EQ(d.desired_pods, 20);
}

TEST(KpaPanic, CreatedOverSeveralReadyPodsStartsInPanicAndKeepsThem) {
  KpaAutoscaler restarted(cc10(), kT0, 5);
  EXPECT_TRUE(restarted.in_panic());
  for (int t = 2; t <= 60; t += 2) EXPECT_EQ(restarted.decide(at(t), observed(0, 0, 5)).desired_pods, 5);
  const Decision d = restarted.decide(at(62), observed(0, 0, 5));
  EXPECT_FALSE(d.in_panic);
  EXPECT_EQ(d.desired_pods, 2);
  EXPECT_FALSE(KpaAutoscaler(cc10(), kT0, 1).in_panic());
  EXPECT_FALSE(KpaAutoscaler(cc10(), kT0, 0).in_panic());
}

TEST(KpaPanic, FlappingLoadDoesNotMakePodsOscillate) {
  // 100 concurrent for 6 s, idle for 6 s, for two minutes: the 6 s panic window swings between 0 and
  // 15 pods' worth of demand every few seconds. Pods should not follow it.
  KpaConfig c = cc10();
  c.min_scale = 1;
  KpaRun run(c, 1);
  run.hold(0, 60s);
  run.trace.clear();
  std::vector<double> panic_pods;
  for (int cycle = 0; cycle < 10; ++cycle) {
    for (double level : {100.0, 0.0}) {
      run.metrics.record(run.now, level);
      for (int tick = 0; tick < 3; ++tick) {
        run.now += 2s;
        run.step();
        panic_pods.push_back(std::ceil(run.metrics.panic_concurrency(run.now) / 7));
      }
    }
  }
  int demand_swings = 0, pod_changes = 0, increases_after_a_decrease = 0;
  bool decreased = false;
  for (size_t i = 1; i < panic_pods.size(); ++i) {
    demand_swings += panic_pods[i] != panic_pods[i - 1];
    const int prev = run.trace[i - 1].desired_pods, cur = run.trace[i].desired_pods;
    pod_changes += cur != prev;
    if (cur < prev) decreased = true;
    if (cur > prev && decreased) ++increases_after_a_decrease;
    if (run.trace[i].in_panic) {
      EXPECT_GE(cur, prev) << "scaled down in panic at tick " << i;
    }
    if (i >= 3) {
      EXPECT_GE(cur, 8) << "below ceil(average 50 / 7) at tick " << i;
    }
  }
  EXPECT_GE(demand_swings, 50);  // the panic-window demand changes almost every tick...
  EXPECT_LE(pod_changes, 4);     // ...the pods do not
  EXPECT_EQ(increases_after_a_decrease, 0);
  EXPECT_EQ(run.last.desired_pods, 8);  // settles at the average demand
  EXPECT_FALSE(run.last.in_panic);
}

}  // namespace
}  // namespace mlfaas::autoscale
