// Histogram buckets: le semantics, cumulative output, +Inf, _sum/_count, bucket helpers.
#include <gtest/gtest.h>

#include <cmath>

#include "metrics/registry.h"

namespace mlfaas::metrics {
namespace {

TEST(Histogram, BucketsAreLessOrEqualAndCumulative) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 11.0, 1000.0}) h.observe(v);
  auto s = h.snapshot();
  ASSERT_EQ(s.cumulative.size(), 4u);
  EXPECT_EQ(s.cumulative[0], 2u);  // 0.05, 0.1 (le is inclusive)
  EXPECT_EQ(s.cumulative[1], 4u);  // + 0.5, 1.0
  EXPECT_EQ(s.cumulative[2], 6u);  // + 5, 10
  EXPECT_EQ(s.cumulative[3], 8u);  // + 11, 1000 (+Inf)
  EXPECT_EQ(s.count, 8u);
  EXPECT_DOUBLE_EQ(s.sum, 0.05 + 0.1 + 0.5 + 1 + 5 + 10 + 11 + 1000);
}

TEST(Histogram, NaNGoesToInfOnly) {
  Histogram h({1});
  h.observe(std::nan(""));
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative[0], 0u);
  EXPECT_EQ(s.cumulative[1], 1u);
}

TEST(Histogram, RendersBucketsSumAndCount) {
  Registry reg;
  auto& h = reg.histogram("latency_seconds", "Latency.", {0.005, 0.25, 1}, {"route"}).with({{"route", "/x"}});
  h.observe(0.001);
  h.observe(0.3);
  h.observe(0.3);
  h.observe(7);
  EXPECT_EQ(reg.render(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.005\"} 1\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.25\"} 1\n"
            "latency_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/x\"} 7.601\n"
            "latency_seconds_count{route=\"/x\"} 4\n");
}

TEST(Histogram, UnlabeledRendersOnlyLe) {
  Registry reg;
  reg.histogram("h", "h", {1});
  EXPECT_EQ(reg.render(),
            "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

TEST(Histogram, RejectsBadBounds) {
  EXPECT_THROW(Histogram({1, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({2, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({1, HUGE_VAL}), std::invalid_argument);
  Registry reg;
  EXPECT_THROW(reg.histogram("h", "h", {3, 2}), std::invalid_argument);
  EXPECT_NO_THROW(Histogram({}));  // only +Inf
}

TEST(Histogram, BucketHelpers) {
  EXPECT_EQ(exponential_buckets(0.001, 2, 4), (std::vector<double>{0.001, 0.002, 0.004, 0.008}));
  EXPECT_EQ(linear_buckets(1, 0.5, 3), (std::vector<double>{1, 1.5, 2}));
  EXPECT_THROW(exponential_buckets(0, 2, 3), std::invalid_argument);
  EXPECT_THROW(exponential_buckets(1, 1, 3), std::invalid_argument);
  EXPECT_THROW(linear_buckets(0, 0, 3), std::invalid_argument);
  EXPECT_THROW(linear_buckets(0, 1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace mlfaas::metrics
