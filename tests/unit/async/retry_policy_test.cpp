// When a queued call is retried, how long it waits, when it is given up; nonsense is rejected.
#include "async/retry_policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace mlfaas::async;
using std::chrono::milliseconds;

TEST(RetryPolicy, RetryableStatuses) {
  for (unsigned s : {429u, 502u, 503u, 504u}) EXPECT_TRUE(RetryPolicy::retryable_status(s)) << s;
  for (unsigned s : {0u, 200u, 202u, 301u, 400u, 401u, 404u, 408u, 413u, 500u, 501u, 505u, 599u})
    EXPECT_FALSE(RetryPolicy::retryable_status(s)) << s;
}

TEST(RetryPolicy, DefaultDelaysDoubleUpToTheCap) {
  RetryPolicy p;
  const struct { int failed; long ms; } table[] = {
      {1, 500}, {2, 1000}, {3, 2000}, {4, 4000}, {5, 8000}, {6, 16000}, {7, 30000}, {8, 30000}, {100, 30000},
      {10'000, 30000}};
  for (auto [failed, ms] : table) EXPECT_EQ(p.delay_after(failed), milliseconds(ms)) << failed;
}

TEST(RetryPolicy, CountsBelowOneActAsOne) {
  RetryPolicy p;
  EXPECT_EQ(p.delay_after(0), milliseconds(500));
  EXPECT_EQ(p.delay_after(-3), milliseconds(500));
}

TEST(RetryPolicy, OtherMultipliers) {
  RetryPolicy p{.max_attempts = 10, .initial_delay = milliseconds(100), .max_delay = milliseconds(1000), .multiplier = 1.5};
  EXPECT_EQ(p.delay_after(1), milliseconds(100));
  EXPECT_EQ(p.delay_after(2), milliseconds(150));
  EXPECT_EQ(p.delay_after(3), milliseconds(225));
  EXPECT_EQ(p.delay_after(7), milliseconds(1000));  // 1139 capped
  RetryPolicy constant{.initial_delay = milliseconds(250), .max_delay = milliseconds(250), .multiplier = 1.0};
  EXPECT_EQ(constant.delay_after(1), milliseconds(250));
  EXPECT_EQ(constant.delay_after(50), milliseconds(250));
}

TEST(RetryPolicy, GivesUpAfterMaxAttempts) {
  RetryPolicy p;  // 5
  for (int made = 0; made < 5; ++made) EXPECT_FALSE(p.gives_up(made)) << made;
  EXPECT_TRUE(p.gives_up(5));
  EXPECT_TRUE(p.gives_up(6));
  RetryPolicy once{.max_attempts = 1};
  EXPECT_FALSE(once.gives_up(0));
  EXPECT_TRUE(once.gives_up(1));
}

TEST(RetryPolicy, Validate) {
  EXPECT_NO_THROW(RetryPolicy{}.validate());
  EXPECT_NO_THROW((RetryPolicy{.max_attempts = 1, .multiplier = 1.0}.validate()));
  auto bad = [](RetryPolicy p, const char* needle) {
    try {
      p.validate();
      ADD_FAILURE() << "accepted, expected: " << needle;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  bad({.max_attempts = 0}, "max_attempts");
  bad({.max_attempts = -1}, "max_attempts");
  bad({.initial_delay = milliseconds(0)}, "initial_delay");
  bad({.initial_delay = milliseconds(-5)}, "initial_delay");
  bad({.max_delay = milliseconds(0)}, "max_delay must be > 0");
  bad({.initial_delay = milliseconds(2000), .max_delay = milliseconds(1000)}, "must be >= initial_delay");
  bad({.multiplier = 0.5}, "multiplier");
  bad({.multiplier = std::numeric_limits<double>::quiet_NaN()}, "multiplier");
}
