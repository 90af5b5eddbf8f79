#include "function/batch_scheduler.h"

#include <gtest/gtest.h>

namespace mlfaas::function {
namespace {

using namespace std::chrono_literals;
const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1);

SchedulerConfig config(int batch, std::chrono::microseconds delay, int cores = 2) {
  SchedulerConfig c;
  c.max_batch_size = batch;
  c.max_queue_delay = delay;
  c.cores = cores;
  return c;
}

TEST(BatchScheduler, DefaultsAreOneImagePerExecution) {
  SchedulerConfig c;
  EXPECT_EQ(c.max_batch_size, 1);
  EXPECT_EQ(c.max_queue_delay.count(), 0);
}

TEST(BatchScheduler, NothingQueuedNothingToRun) {
  BatchScheduler s(config(1, 0us));
  EXPECT_FALSE(s.next(t0, 0, std::nullopt));
}

TEST(BatchScheduler, ALoneRequestGetsEveryCore) {
  BatchScheduler s(config(1, 0us, 4));
  auto d = s.next(t0, 1, t0);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->count, 1u);
  EXPECT_EQ(d->threads, 4);
  EXPECT_EQ(s.busy_threads(), 4);
  EXPECT_FALSE(s.next(t0, 1, t0));  // every core is busy
  s.finished(4);
  EXPECT_EQ(s.busy_threads(), 0);
}

TEST(BatchScheduler, UnderLoadEachBatchGetsOneCore) {
  BatchScheduler s(config(1, 0us, 2));
  auto a = s.next(t0, 3, t0);  // more queued than this batch takes: not alone
  ASSERT_TRUE(a);
  EXPECT_EQ(a->threads, 1);
  auto b = s.next(t0, 2, t0);  // another batch is running: not alone
  ASSERT_TRUE(b);
  EXPECT_EQ(b->threads, 1);
  EXPECT_FALSE(s.next(t0, 1, t0));  // never more threads than cores
  EXPECT_EQ(s.running_batches(), 2);
  s.finished(1);
  EXPECT_TRUE(s.next(t0, 1, t0));
}

TEST(BatchScheduler, ABatchLeavesWhenFull) {
  BatchScheduler s(config(4, 10ms));
  EXPECT_FALSE(s.next(t0, 3, t0));  // not full, not waited long enough
  auto d = s.next(t0, 5, t0);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->count, 4u);
}

TEST(BatchScheduler, ABatchLeavesWhenTheOldestHasWaitedTheDelay) {
  BatchScheduler s(config(8, 10ms));
  EXPECT_EQ(s.wake_time(t0), t0 + 10ms);
  EXPECT_FALSE(s.next(t0 + 9ms, 3, t0));
  auto d = s.next(t0 + 10ms, 3, t0);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->count, 3u);
}

TEST(BatchScheduler, NoDelayMeansNoWakeTime) {
  BatchScheduler s(config(8, 0us));
  EXPECT_FALSE(s.wake_time(t0));
  EXPECT_FALSE(s.wake_time(std::nullopt));
  auto d = s.next(t0, 3, t0);  // take whatever is queued
  ASSERT_TRUE(d);
  EXPECT_EQ(d->count, 3u);
}

}  // namespace
}  // namespace mlfaas::function
