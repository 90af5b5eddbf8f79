// Open-loop send schedules and the sweep stability rule.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "bench/schedule.h"
#include "bench/stability.h"

namespace mlfaas::bench {
namespace {

TEST(SendSchedule, ConstantRateIsExactlyEvenlySpaced) {
  SendSchedule s(Arrival::constant, 200, 0.001);
  for (int k = 0; k < 100000; ++k) ASSERT_DOUBLE_EQ(s.next(), 0.001 + k / 200.0);
}

TEST(SendSchedule, ThreadStreamsInterleave) {
  // Two threads at 50/s each with phases 0 and 1/100: together a stream at 100/s, 10 ms apart.
  SendSchedule a(Arrival::constant, 50, 0), b(Arrival::constant, 50, 1.0 / 100);
  std::vector<double> all;
  for (int i = 0; i < 50; ++i) {
    all.push_back(a.next());
    all.push_back(b.next());
  }
  for (size_t i = 1; i < all.size(); ++i) EXPECT_NEAR(all[i] - all[i - 1], 0.01, 1e-12);
}

TEST(SendSchedule, PoissonHasTheRightMeanAndExponentialGaps) {
  SendSchedule s(Arrival::poisson, 1000, 0, 42);
  const int n = 200000;
  double prev = 0, sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    double t = s.next();
    ASSERT_GT(t, prev);
    double gap = t - prev;
    sum += gap;
    sum2 += gap * gap;
    prev = t;
  }
  const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_NEAR(mean, 0.001, 0.00002);
  EXPECT_NEAR(sd / mean, 1.0, 0.02);  // exponential: coefficient of variation 1
  EXPECT_NEAR(prev, n / 1000.0, n / 1000.0 * 0.01);
}

TEST(SendSchedule, PoissonIsReproducibleBySeed) {
  SendSchedule a(Arrival::poisson, 10, 0, 9), b(Arrival::poisson, 10, 0, 9), c(Arrival::poisson, 10, 0, 10);
  for (int i = 0; i < 10; ++i) EXPECT_DOUBLE_EQ(a.next(), b.next());
  EXPECT_NE(b.next(), c.next());
}

TEST(SendSchedule, RejectsNonPositiveRates) {
  EXPECT_THROW(SendSchedule(Arrival::constant, 0), std::invalid_argument);
  EXPECT_THROW(SendSchedule(Arrival::poisson, -1), std::invalid_argument);
}

TEST(Stability, LastThreeWindowsMustAgreeOnThroughputAndLatency) {
  std::vector<WindowMetrics> w = {{50, 900, 800}, {100, 1000, 900}, {105, 1040, 930}};
  EXPECT_FALSE(windows_agree(w, 10));  // 50 vs 105
  w.push_back({98, 990, 910});
  EXPECT_TRUE(windows_agree(w, 10));  // 105 / 98 = 1.07
  EXPECT_FALSE(windows_agree(w, 5));
  w.push_back({99, 1300, 910});  // average latency jumps
  EXPECT_FALSE(windows_agree(w, 10));
  w.push_back({99, 1250, 1100});
  w.push_back({99, 1280, 1150});
  EXPECT_FALSE(windows_agree(w, 10));  // median 1150 / 910
  w.push_back({99, 1270, 1120});
  EXPECT_TRUE(windows_agree(w, 10));
}

TEST(Stability, NeedsEnoughWindowsAndSomeThroughput) {
  std::vector<WindowMetrics> w = {{100, 1000, 1000}, {100, 1000, 1000}};
  EXPECT_FALSE(windows_agree(w, 10));
  w.push_back({100, 1000, 1000});
  EXPECT_TRUE(windows_agree(w, 10));
  std::vector<WindowMetrics> idle = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  EXPECT_FALSE(windows_agree(idle, 10));
}

}  // namespace
}  // namespace mlfaas::bench
