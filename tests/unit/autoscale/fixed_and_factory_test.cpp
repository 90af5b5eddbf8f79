// FixedScaler, the policy factory, names, and one full pipeline per policy.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autoscale/policy_factory.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

TEST(FixedScaler, AlwaysTheConfiguredCount) {
  FixedScaler f{FixedConfig{3}};
  EXPECT_EQ(f.decide(at(0), observed(0, 0, 0)).desired_pods, 3);
  EXPECT_EQ(f.decide(at(2), observed(1e6, 1e6, 3)).desired_pods, 3);
  Observed waiting = observed(0, 0, 0);
  waiting.in_flight = 10;
  const Decision d = f.decide(at(4), waiting);
  EXPECT_EQ(d.desired_pods, 3);
  EXPECT_FALSE(d.in_panic);
  EXPECT_EQ(d.reason, "fixed: always 3 (ready 0)");
  EXPECT_EQ(f.describe(), "fixed: replicas=3");
  EXPECT_THROW((void)FixedScaler(FixedConfig{0}), std::invalid_argument);
}

TEST(PolicyFactory, BuildsEachKind) {
  PolicyConfig c;
  EXPECT_EQ(make_policy(c, kT0)->kind(), PolicyKind::kpa);
  c.kind = PolicyKind::openfaas_ce;
  EXPECT_EQ(make_policy(c, kT0)->kind(), PolicyKind::openfaas_ce);
  c.kind = PolicyKind::fixed;
  c.fixed.replicas = 2;
  auto fixed = make_policy(c, kT0);
  EXPECT_EQ(fixed->kind(), PolicyKind::fixed);
  EXPECT_EQ(fixed->decide(at(0), Observed{}).desired_pods, 2);
}

TEST(PolicyFactory, PassesReadyPodsSoARestartedKpaStartsInPanic) {
  PolicyConfig c;
  auto kpa = make_policy(c, kT0, 4);
  EXPECT_TRUE(kpa->decide(at(2), observed(0, 0, 4)).in_panic);
}

TEST(PolicyFactory, RejectsInvalidConfigOfTheSelectedKindOnly) {
  PolicyConfig c;
  c.kpa.max_scale_down_rate = 1;
  EXPECT_THROW((void)make_policy(c, kT0), std::invalid_argument);
  c.kind = PolicyKind::fixed;
  EXPECT_NO_THROW((void)make_policy(c, kT0));
  c.fixed.replicas = -1;
  EXPECT_THROW((void)make_policy(c, kT0), std::invalid_argument);
}

TEST(PolicyFactory, DescribeStartsWithTheKindName) {
  for (PolicyKind k : {PolicyKind::kpa, PolicyKind::openfaas_ce, PolicyKind::fixed}) {
    PolicyConfig c;
    c.kind = k;
    const std::string d = make_policy(c, kT0)->describe();
    EXPECT_EQ(d.rfind(std::string(policy_kind_name(k)) + ":", 0), 0u) << d;
  }
}

TEST(PolicyFactory, DemandWindowsFollowTheConfig) {
  PolicyConfig c;
  c.kpa.metric = Metric::rps;
  c.kpa.stable_window = 120s;
  c.kpa.panic_window_percentage = 5;
  c.openfaas_ce.rate_window = 20s;
  const DemandWindows w = demand_windows(c);
  EXPECT_EQ(w.metric, Metric::rps);
  EXPECT_EQ(w.stable, 120s);
  EXPECT_EQ(w.panic, 6s);
  EXPECT_EQ(w.ce_rate, 20s);
  const DemandWindows d = demand_windows(PolicyConfig{});
  EXPECT_EQ(d.stable, 60s);
  EXPECT_EQ(d.panic, 6s);
  EXPECT_EQ(d.ce_rate, 10s);
  EXPECT_EQ(d.metric, Metric::concurrency);
}

TEST(Names, PolicyKindsAndMetricsRoundTrip) {
  for (PolicyKind k : {PolicyKind::kpa, PolicyKind::openfaas_ce, PolicyKind::fixed})
    EXPECT_EQ(parse_policy_kind(policy_kind_name(k)), k);
  EXPECT_EQ(policy_kind_name(PolicyKind::openfaas_ce), "openfaas-ce");
  EXPECT_FALSE(parse_policy_kind("hpa"));
  EXPECT_EQ(parse_metric("rps"), Metric::rps);
  EXPECT_EQ(parse_metric("concurrency"), Metric::concurrency);
  EXPECT_FALSE(parse_metric("cpu"));
}

TEST(Names, DurationsReadNaturally) {
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_EQ(format_duration(30s), "30s");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(3600s), "1h");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(-2s), "-2s");
}

TEST(Pipeline, KpaFromGatewayRecordsToFifteenPods) {
  PolicyConfig c;
  c.kpa.container_concurrency = 10;
  auto policy = make_policy(c, kT0);
  FunctionMetrics metrics(demand_windows(c), kT0);
  int ready = 0;
  Decision d;
  metrics.record(kT0, 100);
  for (int t = 0; t <= 120; t += 2) {
    d = policy->decide(at(t), metrics.observe(at(t), ready));
    ready = d.desired_pods;
  }
  EXPECT_EQ(d.desired_pods, 15);
  EXPECT_FALSE(d.in_panic);
}

TEST(Pipeline, OpenFaasCeFromGatewayStatusCounts) {
  PolicyConfig c;
  c.kind = PolicyKind::openfaas_ce;
  auto policy = make_policy(c, kT0);
  FunctionMetrics metrics(demand_windows(c), kT0);
  Decision d;
  for (int t = 0; t <= 60; ++t) {
    metrics.record_status(at(t), 200, 10);  // 10 rps of 200s
    d = policy->decide(at(t), metrics.observe(at(t), d.desired_pods));
  }
  EXPECT_EQ(d.desired_pods, 5);
}

}  // namespace
}  // namespace mlfaas::autoscale
