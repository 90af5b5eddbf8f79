#include "platform/restart_backoff.h"

#include <gtest/gtest.h>

using mlfaas::platform::RestartBackoff;
using namespace std::chrono_literals;

TEST(RestartBackoff, DoublesUpToTheCapAndResetsAfterAHealthyRun) {
  RestartBackoff b(100ms, 1s, 10s);
  auto t = RestartBackoff::Clock::time_point{} + 1h;
  EXPECT_LE(b.next_start(), t);
  b.failed(t, t - 50ms);
  EXPECT_EQ(b.next_start(), t + 100ms);
  b.failed(t, t - 50ms);
  EXPECT_EQ(b.next_start(), t + 200ms);
  b.failed(t, t - 50ms);
  EXPECT_EQ(b.next_start(), t + 400ms);
  for (int i = 0; i < 5; ++i) b.failed(t, t - 50ms);
  EXPECT_EQ(b.next_start(), t + 1s);  // capped
  EXPECT_EQ(b.consecutive_failures(), 8);
  b.failed(t, t - 30s);  // it ran fine for 30 s before failing: start over
  EXPECT_EQ(b.consecutive_failures(), 1);
  EXPECT_EQ(b.next_start(), t + 100ms);
}
