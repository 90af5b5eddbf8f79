// OpenFaaS CE: the APIHighInvocationRate alert (> 5 rps of 2xx over 10 s, for 5 s) and the gateway's
// CalculateReplicas stepping.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autoscale/function_metrics.h"
#include "autoscale/openfaas_ce_autoscaler.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

Observed rate(double rps) {
  Observed o;
  o.ce_rate_2xx = rps;
  o.ready_pods = 1;
  return o;
}

OpenFaasCeConfig ce(int max, int factor, int min = 1) {
  OpenFaasCeConfig c;
  c.max_replicas = max;
  c.scaling_factor = factor;
  c.min_replicas = min;
  return c;
}

// Replicas after each 1 s tick from 0 to `seconds` at a constant rate.
std::vector<int> run(OpenFaasCeAutoscaler& p, double rps, int seconds, int from = 0) {
  std::vector<int> out;
  for (int t = from; t <= from + seconds; ++t) out.push_back(p.decide(at(t), rate(rps)).desired_pods);
  return out;
}

TEST(OpenFaasCe, AtOrBelowFiveRpsNeverScales) {
  OpenFaasCeAutoscaler p{OpenFaasCeConfig{}};
  for (int r : run(p, 5.0, 120)) EXPECT_EQ(r, 1);
  EXPECT_FALSE(p.firing());
}

TEST(OpenFaasCe, AboveForLessThanFiveSecondsDoesNotFire) {
  OpenFaasCeAutoscaler p{OpenFaasCeConfig{}};
  for (int r : run(p, 6, 4)) EXPECT_EQ(r, 1);  // t = 0..4
  EXPECT_EQ(p.decide(at(5), rate(4)).desired_pods, 1);  // dipped: pending is cleared
  for (int r : run(p, 6, 4, 6)) EXPECT_EQ(r, 1);  // t = 6..10: pending 4 s again
  EXPECT_FALSE(p.firing());
  EXPECT_EQ(p.decide(at(11), rate(6)).desired_pods, 2);  // 5 s since 6
}

TEST(OpenFaasCe, FiresAfterFiveSecondsThenStepsEveryIntervalUpToMax) {
  OpenFaasCeAutoscaler p{OpenFaasCeConfig{}};  // max 5, factor 20 → +1 per step
  const std::vector<int> r = run(p, 50, 30);
  const std::vector<int> expected = {1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4,
                                     4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
  EXPECT_EQ(r, expected);
  EXPECT_TRUE(p.firing());
}

TEST(OpenFaasCe, FiringReasonSaysWhatHappened) {
  OpenFaasCeAutoscaler p{OpenFaasCeConfig{}};
  EXPECT_NE(p.decide(at(0), rate(8)).reason.find("alert pending for 0s of 5s"), std::string::npos);
  const Decision d = p.decide(at(5), rate(8));
  EXPECT_NE(d.reason.find("alert fired: step 1 -> 2"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("2xx rate 8 rps"), std::string::npos) << d.reason;
}

TEST(OpenFaasCe, StepIsCeilOfMaxTimesFactorPercent) {
  EXPECT_EQ(ce(5, 20).step(), 1);
  EXPECT_EQ(ce(5, 10).step(), 1);   // the gateway's code constant: ceil(0.5)
  EXPECT_EQ(ce(5, 50).step(), 3);   // ceil(2.5)
  EXPECT_EQ(ce(3, 20).step(), 1);   // ceil(0.6)
  EXPECT_EQ(ce(2, 100).step(), 2);
  EXPECT_EQ(ce(20, 20).effective_max(), 5);  // hard cap
  EXPECT_EQ(ce(20, 20).step(), 1);            // computed on the capped max
  EXPECT_EQ(ce(5, 0).step(), 0);
}

TEST(OpenFaasCe, RequestedMaxAboveFiveIsCappedAtFive) {
  OpenFaasCeAutoscaler p{ce(20, 20)};
  const std::vector<int> r = run(p, 100, 60);
  EXPECT_EQ(r.back(), 5);
  for (int x : r) EXPECT_LE(x, 5);
}

TEST(OpenFaasCe, LargeFactorStepsAreClampedToMax) {
  OpenFaasCeAutoscaler p{ce(5, 50)};
  EXPECT_EQ(run(p, 100, 5).back(), 4);  // 1 + 3
  EXPECT_EQ(p.decide(at(10), rate(100)).desired_pods, 5);  // min(4 + 3, 5)
}

TEST(OpenFaasCe, FactorZeroDisablesScaling) {
  OpenFaasCeAutoscaler p{ce(5, 0)};
  for (int r : run(p, 1000, 60)) EXPECT_EQ(r, 1);
  OpenFaasCeAutoscaler p2{ce(5, 0, 2)};
  for (int r : run(p2, 1000, 60)) EXPECT_EQ(r, 2);
}

TEST(OpenFaasCe, ResolvingDropsStraightToMin) {
  OpenFaasCeAutoscaler p{OpenFaasCeConfig{}};
  ASSERT_EQ(run(p, 50, 15).back(), 4);
  const Decision d = p.decide(at(16), rate(2));
  EXPECT_EQ(d.desired_pods, 1);
  EXPECT_NE(d.reason.find("alert resolved"), std::string::npos) << d.reason;
  EXPECT_FALSE(p.firing());
  OpenFaasCeAutoscaler p2{ce(5, 20, 2)};
  ASSERT_EQ(run(p2, 50, 15).back(), 5);
  EXPECT_EQ(p2.decide(at(16), rate(0)).desired_pods, 2);
}

TEST(OpenFaasCe, StepIntervalIsConfigurable) {
  OpenFaasCeConfig c;
  c.step_interval = 2s;
  OpenFaasCeAutoscaler p{c};
  const std::vector<int> r = run(p, 50, 11);
  const std::vector<int> expected = {1, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5};
  EXPECT_EQ(r, expected);
}

TEST(OpenFaasCe, NeverZeroAndRejectsImpossibleRanges) {
  EXPECT_THROW((void)OpenFaasCeAutoscaler(ce(5, 20, 0)), std::invalid_argument);  // no scale to zero in CE
  EXPECT_THROW((void)OpenFaasCeAutoscaler(ce(0, 20)), std::invalid_argument);
  EXPECT_THROW((void)OpenFaasCeAutoscaler(ce(20, 20, 6)), std::invalid_argument);  // above the cap
  EXPECT_THROW((void)OpenFaasCeAutoscaler(ce(5, 101)), std::invalid_argument);
  EXPECT_THROW((void)OpenFaasCeAutoscaler(ce(5, -1)), std::invalid_argument);
  OpenFaasCeAutoscaler p{OpenFaasCeConfig{}};
  EXPECT_EQ(p.decide(at(0), rate(0)).desired_pods, 1);
}

TEST(OpenFaasCe, OnlyTwoHundredsFireTheAlert) {
  FunctionMetrics m(DemandWindows{}, at(0));
  OpenFaasCeAutoscaler p{OpenFaasCeConfig{}};
  for (int t = 0; t < 30; ++t) {
    m.record_status(at(t), 503, 100);
    m.record_status(at(t), 4, 100);
    EXPECT_EQ(p.decide(at(t), m.observe(at(t), 1)).desired_pods, 1);
  }
  int fired_at = -1;
  for (int t = 30; t < 60 && fired_at < 0; ++t) {
    m.record_status(at(t), 200, 100);
    if (p.decide(at(t), m.observe(at(t), 1)).desired_pods == 2) fired_at = t;
  }
  EXPECT_EQ(fired_at, 35);  // above 5 rps from the first second (100 in 10 s), firing 5 s later
}

TEST(OpenFaasCe, AlertResolvesOnceTheTenSecondRateFalls) {
  FunctionMetrics m(DemandWindows{}, at(0));
  OpenFaasCeAutoscaler p{OpenFaasCeConfig{}};
  for (int t = 0; t <= 20; ++t) {
    m.record_status(at(t), 2, 20);
    p.decide(at(t), m.observe(at(t), 1));
  }
  ASSERT_TRUE(p.firing());
  // Traffic stops after t = 20: 20 rps × 10 s falls to ≤ 5 rps once at most 2 busy seconds remain
  // in the window: at t = 28 buckets 19..28 hold 2 busy seconds, 40 / 10 = 4 rps.
  int resolved_at = -1;
  for (int t = 21; t <= 40 && resolved_at < 0; ++t)
    if (p.decide(at(t), m.observe(at(t), 1)).desired_pods == 1) resolved_at = t;
  EXPECT_EQ(resolved_at, 28);
}

TEST(OpenFaasCe, DescribeListsTheRule) {
  const std::string d = OpenFaasCeAutoscaler(ce(20, 20)).describe();
  for (const char* part : {"openfaas-ce:", "2xx rate over 10s > 5 rps for 5s", "step ceil(5 x 20%) = 1",
                           "every 5s", "min=1", "max=5", "requested 20"})
    EXPECT_NE(d.find(part), std::string::npos) << part << " missing from: " << d;
}

}  // namespace
}  // namespace mlfaas::autoscale
