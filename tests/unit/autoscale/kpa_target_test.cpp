// KPA configuration: target resolution (Knative ResolveMetricTarget), derived values, validation.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autoscale/kpa_autoscaler.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

ResolvedTarget target_of(KpaConfig c) { return resolve_target(c); }

TEST(KpaTarget, DefaultsAimForSeventyConcurrentPerPod) {
  const KpaConfig c;
  EXPECT_EQ(c.container_concurrency, 0);
  EXPECT_DOUBLE_EQ(target_of(c).target, 70);  // 100 × 0.7
  EXPECT_DOUBLE_EQ(target_of(c).total, 100);
}

TEST(KpaTarget, ContainerConcurrencyReplacesTheSoftDefault) {
  KpaConfig c;
  c.container_concurrency = 10;
  EXPECT_DOUBLE_EQ(target_of(c).target, 7);
  EXPECT_DOUBLE_EQ(target_of(c).total, 10);
}

TEST(KpaTarget, TargetAnnotationWithoutContainerConcurrency) {
  KpaConfig c;
  c.target = 50;
  EXPECT_DOUBLE_EQ(target_of(c).target, 35);
}

TEST(KpaTarget, TargetAnnotationIsCappedByContainerConcurrency) {
  KpaConfig c;
  c.container_concurrency = 10;
  c.target = 50;
  EXPECT_DOUBLE_EQ(target_of(c).target, 7);  // min(50, 10) × 0.7
  c.target = 5;
  EXPECT_DOUBLE_EQ(target_of(c).target, 3.5);  // min(5, 10) × 0.7
  EXPECT_DOUBLE_EQ(target_of(c).total, 5);
}

TEST(KpaTarget, RpsUsesItsOwnDefaultAndIgnoresContainerConcurrency) {
  KpaConfig c;
  c.metric = Metric::rps;
  c.container_concurrency = 10;
  EXPECT_DOUBLE_EQ(target_of(c).target, 140);  // 200 × 0.7
  c.target = 20;
  EXPECT_DOUBLE_EQ(target_of(c).target, 14);   // not capped by containerConcurrency
}

TEST(KpaTarget, UtilizationAsPercentOrFraction) {
  KpaConfig c;
  c.container_concurrency = 10;
  c.target_utilization = 70;
  EXPECT_DOUBLE_EQ(target_of(c).target, 7);
  c.target_utilization = 0.5;
  EXPECT_DOUBLE_EQ(target_of(c).target, 5);
  c.target_utilization = 1;  // (0, 1] is a fraction: 100 %, not 1 %
  EXPECT_DOUBLE_EQ(target_of(c).target, 10);
  c.target_utilization = 1.5;  // above 1: a percentage
  EXPECT_DOUBLE_EQ(target_of(c).target, 1);  // 0.15 raised to the floor of 1
  c.target_utilization = 100;
  EXPECT_DOUBLE_EQ(target_of(c).target, 10);
}

TEST(KpaTarget, NeverBelowOne) {
  KpaConfig c;
  c.container_concurrency = 1;
  EXPECT_DOUBLE_EQ(target_of(c).target, 1);  // 1 × 0.7 raised to 1
}

TEST(KpaConfigDerived, PanicWindowAndThresholdFromPercentages) {
  KpaConfig c;
  EXPECT_EQ(c.panic_window(), 6s);
  EXPECT_DOUBLE_EQ(c.panic_threshold(), 2.0);
  c.stable_window = 120s;
  c.panic_window_percentage = 5;
  EXPECT_EQ(c.panic_window(), 6s);
  c.stable_window = 65s;
  c.panic_window_percentage = 10;
  EXPECT_EQ(c.panic_window(), 6500ms);
}

TEST(KpaConfigDerived, DefaultsMatchKnative) {
  const KpaConfig c;
  EXPECT_EQ(c.stable_window, 60s);
  EXPECT_EQ(c.max_scale_up_rate, 1000.0);
  EXPECT_EQ(c.max_scale_down_rate, 2.0);
  EXPECT_EQ(c.min_scale, 0);
  EXPECT_EQ(c.max_scale, 0);
  EXPECT_EQ(c.initial_scale, 1);
  EXPECT_EQ(c.activation_scale, 1);
  EXPECT_TRUE(c.enable_scale_to_zero);
  EXPECT_EQ(c.scale_to_zero_grace_period, 30s);
  EXPECT_EQ(c.scale_to_zero_pod_retention_period, 0s);
  EXPECT_EQ(c.scale_down_delay, 0s);
  EXPECT_EQ(c.target_burst_capacity, 200);
  EXPECT_EQ(c.tick_interval, 2s);
  EXPECT_NO_THROW(c.validate());
}

TEST(KpaConfigDerived, InitialMaxAndHold) {
  KpaConfig c;
  c.initial_scale = 0;
  EXPECT_EQ(c.effective_initial_scale(), 1);  // zero only when allowed
  c.allow_zero_initial_scale = true;
  EXPECT_EQ(c.effective_initial_scale(), 0);
  c.max_scale_limit = 20;
  EXPECT_EQ(c.effective_max_scale(), 20);  // "unlimited" becomes the cluster limit
  c.max_scale = 8;
  EXPECT_EQ(c.effective_max_scale(), 8);
  c.scale_to_zero_pod_retention_period = 90s;
  EXPECT_EQ(c.scale_to_zero_hold(), 90s);
  c.scale_to_zero_pod_retention_period = 10s;
  EXPECT_EQ(c.scale_to_zero_hold(), 30s);
}

TEST(KpaConfigValidation, RejectsOutOfRangeKnobs) {
  auto bad = [](auto tweak) {
    KpaConfig c;
    tweak(c);
    return c;
  };
  const KpaConfig invalid[] = {
      bad([](KpaConfig& c) { c.stable_window = 5s; }),
      bad([](KpaConfig& c) { c.stable_window = 3601s; }),
      bad([](KpaConfig& c) { c.stable_window = 61500ms; }),
      bad([](KpaConfig& c) { c.panic_window_percentage = 0.5; }),
      bad([](KpaConfig& c) { c.panic_window_percentage = 101; }),
      bad([](KpaConfig& c) { c.panic_threshold_percentage = 100; }),
      bad([](KpaConfig& c) { c.panic_threshold_percentage = 1001; }),
      bad([](KpaConfig& c) { c.max_scale_up_rate = 1; }),
      bad([](KpaConfig& c) { c.max_scale_down_rate = 0.5; }),
      bad([](KpaConfig& c) { c.target_utilization = 0; }),
      bad([](KpaConfig& c) { c.target_utilization = 101; }),
      bad([](KpaConfig& c) { c.target = 0; }),
      bad([](KpaConfig& c) { c.container_concurrency = -1; }),
      bad([](KpaConfig& c) { c.min_scale = -1; }),
      bad([](KpaConfig& c) { c.min_scale = 5, c.max_scale = 3; }),
      bad([](KpaConfig& c) { c.max_scale = 30, c.max_scale_limit = 20; }),
      bad([](KpaConfig& c) { c.initial_scale = 4, c.max_scale = 3; }),
      bad([](KpaConfig& c) { c.activation_scale = 0; }),
      bad([](KpaConfig& c) { c.activation_scale = 4, c.max_scale = 3; }),
      bad([](KpaConfig& c) { c.scale_down_delay = -1s; }),
      bad([](KpaConfig& c) { c.scale_down_delay = 3601s; }),
      bad([](KpaConfig& c) { c.scale_to_zero_grace_period = -1s; }),
      bad([](KpaConfig& c) { c.target_burst_capacity = -2; }),
      bad([](KpaConfig& c) { c.tick_interval = 0s; }),
  };
  for (size_t i = 0; i < std::size(invalid); ++i) {
    EXPECT_THROW(invalid[i].validate(), std::invalid_argument) << "case " << i;
    EXPECT_THROW((void)KpaAutoscaler(invalid[i], kT0), std::invalid_argument) << "case " << i;
  }
}

TEST(KpaConfigValidation, AcceptsTheEdgesOfEachRange) {
  KpaConfig c;
  c.stable_window = 6s;
  c.panic_window_percentage = 1;
  c.panic_threshold_percentage = 110;
  c.target_burst_capacity = -1;
  c.scale_to_zero_grace_period = 0s;  // the gateway is always in the path
  EXPECT_NO_THROW(c.validate());
  c.stable_window = 3600s;
  c.panic_window_percentage = 100;
  c.panic_threshold_percentage = 1000;
  c.scale_down_delay = 3600s;
  EXPECT_NO_THROW(c.validate());
}

TEST(KpaDescribe, NamesTheResolvedParameters) {
  KpaConfig c;
  c.container_concurrency = 10;
  c.max_scale = 20;
  const std::string d = KpaAutoscaler(c, kT0).describe();
  for (const char* part : {"kpa:", "metric=concurrency", "target=7/pod", "containerConcurrency=10",
                           "stable-window=1m", "panic-window=6s", "panic-threshold=200%", "max-scale=20",
                           "scale-to-zero=enabled", "grace 30s", "retention 0s", "target-burst-capacity=200"})
    EXPECT_NE(d.find(part), std::string::npos) << part << " missing from: " << d;
  EXPECT_NE(KpaAutoscaler(KpaConfig{}, kT0).describe().find("max-scale=unlimited"), std::string::npos);
}

}  // namespace
}  // namespace mlfaas::autoscale
