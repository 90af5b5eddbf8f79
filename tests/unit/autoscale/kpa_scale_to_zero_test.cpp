// KPA scale to zero (stable window of no traffic, then max(grace, retention) with the last pod) and
// scale from zero (at least max(1, activation-scale) on the call that sees the first request).
#include <gtest/gtest.h>

#include "autoscale/kpa_autoscaler.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

KpaConfig zero_config(Duration grace, Duration retention) {
  KpaConfig c;
  c.container_concurrency = 10;
  c.scale_to_zero_grace_period = grace;
  c.scale_to_zero_pod_retention_period = retention;
  return c;
}

// Five requests in flight for the first 20 s, then nothing; returns the first time the answer was 0.
double first_zero(KpaRun& run, double until) {
  run.hold(5, 20s);
  run.metrics.record(run.now, 0);
  while (run.now < at(until)) {
    run.now += 2s;
    if (run.step().desired_pods == 0) return to_seconds(run.now - kT0);
  }
  return -1;
}

TEST(KpaScaleToZero, NotBeforeAStableWindowWithoutTraffic) {
  KpaRun run(zero_config(0s, 0s), 1);
  EXPECT_EQ(first_zero(run, 300), 80);  // traffic ended at 20: zero at 20 + 60
  EXPECT_NE(run.last.reason.find("scale to zero"), std::string::npos) << run.last.reason;
  for (size_t i = 0; i + 1 < run.trace.size(); ++i) EXPECT_GE(run.trace[i].desired_pods, 1);
  EXPECT_EQ(run.step().desired_pods, 0);  // and it stays there with no pod ready
  run.now += 2s;
  EXPECT_EQ(run.step().desired_pods, 0);
}

TEST(KpaScaleToZero, DefaultGracePeriodKeepsTheLastPodThirtySeconds) {
  KpaRun run(zero_config(30s, 0s), 1);
  EXPECT_EQ(first_zero(run, 300), 110);
  const Decision& before = run.trace[run.trace.size() - 2];
  EXPECT_EQ(before.desired_pods, 1);
  EXPECT_NE(before.reason.find("keeping the last pod 2s more"), std::string::npos) << before.reason;
}

TEST(KpaScaleToZero, RetentionPeriodKeepsTheLastPodWhenLongerThanGrace) {
  KpaRun longer(zero_config(0s, 120s), 1);
  EXPECT_EQ(first_zero(longer, 400), 200);
  KpaRun shorter(zero_config(30s, 10s), 1);
  EXPECT_EQ(first_zero(shorter, 400), 110);  // grace is the longer of the two
}

TEST(KpaScaleToZero, NeverWithMinScale) {
  KpaConfig c = zero_config(0s, 0s);
  c.min_scale = 1;
  KpaRun run(c, 1);
  EXPECT_EQ(first_zero(run, 1000), -1);
  EXPECT_EQ(run.last.desired_pods, 1);
}

TEST(KpaScaleToZero, NeverWhenDisabled) {
  KpaConfig c = zero_config(0s, 0s);
  c.enable_scale_to_zero = false;
  KpaRun run(c, 1);
  EXPECT_EQ(first_zero(run, 1000), -1);
  EXPECT_EQ(run.last.desired_pods, 1);
  EXPECT_NE(run.last.reason.find("scale-to-zero disabled"), std::string::npos) << run.last.reason;
}

TEST(KpaScaleToZero, ARecentRequestBlocksZeroEvenWithAZeroAverage) {
  KpaAutoscaler kpa(zero_config(0s, 0s), kT0);
  kpa.decide(at(0), observed(0, 0, 1));  // the first pod is up (initial scale reached)
  Observed o = observed(0, 0, 1);
  o.last_request = at(990);  // e.g. a request too short to show in the concurrency average
  const Decision d = kpa.decide(at(1000), o);
  EXPECT_EQ(d.desired_pods, 1);
  EXPECT_NE(d.reason.find("idle 10s of the 1m needed"), std::string::npos) << d.reason;
  o.last_request = at(940);
  EXPECT_EQ(kpa.decide(at(1000), o).desired_pods, 0);
}

TEST(KpaScaleToZero, IdleSinceCreationCountsFromCreation) {
  KpaRun run(zero_config(0s, 0s), 1);
  run.hold(0, 58s);
  EXPECT_EQ(run.last.desired_pods, 1);
  run.hold(0, 2s);
  EXPECT_EQ(run.last.desired_pods, 0);
}

TEST(KpaScaleToZero, DemandDuringTheHoldCancelsIt) {
  KpaRun run(zero_config(30s, 0s), 1);
  run.hold(5, 20s);
  run.hold(0, 80s);  // zero decided at 80, pod kept until 110
  ASSERT_EQ(run.last.desired_pods, 1);
  run.metrics.record(at(100), 1);  // a 0.5 s request at 100
  run.metrics.record(at(100.5), 0);
  run.hold(0, 60s);  // to 160: the request is still in the stable window
  for (const Decision& d : run.trace) EXPECT_GE(d.desired_pods, 1) << d.reason;  // 110 came and went
}

TEST(KpaScaleToZero, TheHoldRestartsAfterNewTraffic) {
  KpaRun run(zero_config(30s, 0s), 1);
  run.hold(5, 20s);
  run.hold(0, 80s);
  run.metrics.record(at(100), 1);
  run.metrics.record(at(100.5), 0);
  run.trace.clear();
  while (run.now < at(200) && run.last.desired_pods != 0) {
    run.now += 2s;
    run.step();
  }
  // The request's second (100) leaves the stable window at 161 → decision at 162 → zero at 192.
  EXPECT_EQ(run.now, at(192));
  EXPECT_EQ(run.trace[run.trace.size() - 2].desired_pods, 1);
}

TEST(KpaScaleToZero, ScalesDownByRateFirstThenHoldsTheLastPod) {
  KpaAutoscaler kpa(zero_config(30s, 0s), kT0);
  EXPECT_EQ(kpa.decide(at(100), observed(0, 0, 5)).desired_pods, 2);
  EXPECT_EQ(kpa.decide(at(102), observed(0, 0, 2)).desired_pods, 1);
  EXPECT_EQ(kpa.decide(at(104), observed(0, 0, 1)).desired_pods, 1);  // decided to go: hold starts
  EXPECT_EQ(kpa.decide(at(132), observed(0, 0, 1)).desired_pods, 1);
  EXPECT_EQ(kpa.decide(at(134), observed(0, 0, 1)).desired_pods, 0);
}

TEST(KpaScaleToZero, ARequestAtZeroGetsAPodOnTheSameCall) {
  KpaRun run(zero_config(0s, 0s), 1);
  ASSERT_EQ(first_zero(run, 300), 80);
  run.hold(0, 100s);
  ASSERT_EQ(run.last.desired_pods, 0);
  // The gateway queues a request and calls decide right away, mid-tick.
  run.now += 700ms;
  run.metrics.record(run.now, 1);
  const Decision d = run.kpa.decide(run.now, run.metrics.observe(run.now, 0));
  EXPECT_EQ(d.desired_pods, 1);
  EXPECT_NE(d.reason.find("scale from zero"), std::string::npos) << d.reason;
}

TEST(KpaScaleToZero, ScaleFromZeroHonoursActivationScale) {
  KpaConfig c = zero_config(0s, 0s);
  c.activation_scale = 3;
  KpaAutoscaler kpa(c, kT0);
  kpa.decide(at(0), observed(0, 0, 1));  // initial scale reached
  Observed waiting = observed(0, 0, 0);
  waiting.in_flight = 1;
  EXPECT_EQ(kpa.decide(at(100), waiting).desired_pods, 3);
  EXPECT_EQ(kpa.decide(at(100.1), observed(0, 0, 0)).desired_pods, 0);  // nothing waiting: stay at zero
}

TEST(KpaScaleToZero, ABurstQueuedAtZeroIsSizedAtOnceAndHeldWhilePodsStart) {
  KpaConfig c = zero_config(0s, 0s);
  KpaAutoscaler kpa(c, kT0);
  kpa.decide(at(0), observed(0, 0, 1));
  Observed burst = observed(0, 0, 0);
  burst.in_flight = 100;  // queued in the gateway, no pod ready
  Decision d = kpa.decide(at(100), burst);
  EXPECT_EQ(d.desired_pods, 15);  // ceil(100 / 7), not one pod flooded by all of them
  EXPECT_TRUE(d.in_panic);
  burst.panic_value = 33;  // 2 s later the 6 s average has caught a third of it; still nothing ready
  EXPECT_EQ(kpa.decide(at(102), burst).desired_pods, 15);
  EXPECT_EQ(kpa.decide(at(104), observed(66, 66, 15)).desired_pods, 15);
}

TEST(KpaScaleToZero, QueuedRequestsDoNotCountOnceAPodIsReady) {
  KpaAutoscaler kpa(zero_config(0s, 0s), kT0);
  Observed o = observed(7, 7, 1);
  o.in_flight = 100;  // running on the pod, already in the averages' future
  EXPECT_EQ(kpa.decide(at(100), o).desired_pods, 1);
}

TEST(KpaScaleToZero, ScaleFromZeroRespectsMaxScale) {
  KpaConfig c = zero_config(0s, 0s);
  c.activation_scale = 2;
  c.max_scale = 2;
  KpaAutoscaler kpa(c, kT0);
  Observed burst = observed(0, 0, 0);
  burst.in_flight = 500;
  EXPECT_EQ(kpa.decide(at(0), burst).desired_pods, 2);
}

}  // namespace
}  // namespace mlfaas::autoscale
