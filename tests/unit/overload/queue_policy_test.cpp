#include "overload/queue_policy.h"

#include <gtest/gtest.h>

namespace mlfaas::overload {
namespace {

using namespace std::chrono_literals;

const TimePoint t0 = TimePoint{} + std::chrono::hours(100);

QueueLimits limits() {
  QueueLimits l;
  l.max_items = 10;
  l.max_bytes = 1000;
  l.interval = 100ms;
  l.target = 5ms;
  l.service_multiple = 2;
  l.adaptive_lifo = true;
  return l;
}

TEST(QueuePolicy, NotOverloadedWhileTheQueueDrainsWithinTheInterval) {
  QueuePolicy p(limits(), t0);
  p.observe(t0, 3, true);
  EXPECT_FALSE(p.overloaded(t0 + 50ms));
  p.observe(t0 + 80ms, 0, true);  // drained
  p.observe(t0 + 90ms, 2, true);
  EXPECT_FALSE(p.overloaded(t0 + 150ms));
  EXPECT_TRUE(p.overloaded(t0 + 191ms));
}

TEST(QueuePolicy, OverloadedOnceNonEmptyForLongerThanTheInterval) {
  QueuePolicy p(limits(), t0);
  p.observe(t0 + 1ms, 1, true);
  EXPECT_FALSE(p.overloaded(t0 + 100ms));
  EXPECT_TRUE(p.overloaded(t0 + 101ms));
  EXPECT_TRUE(p.lifo(t0 + 101ms));
  EXPECT_EQ(p.max_wait(t0 + 101ms), Duration(5ms));
  EXPECT_EQ(p.max_wait(t0 + 50ms), Duration::max());
}

TEST(QueuePolicy, AnEmptyQueueIsNeverOverloaded) {
  QueuePolicy p(limits(), t0);
  p.observe(t0, 0, true);
  EXPECT_FALSE(p.overloaded(t0 + 10s));
}

TEST(QueuePolicy, WaitingForCapacityToAppearIsNoOverload) {
  // A function scaling from zero queues requests until its first replica is ready.
  QueuePolicy p(limits(), t0);
  p.observe(t0, 5, false);
  EXPECT_FALSE(p.overloaded(t0 + 1s));
  p.observe(t0 + 1s, 5, true);  // a replica became ready: the clock starts now
  EXPECT_FALSE(p.overloaded(t0 + 1s + 100ms));
  EXPECT_TRUE(p.overloaded(t0 + 1s + 101ms));
}

TEST(QueuePolicy, DefaultsAreFifoWithAFiftyMillisecondFloor) {
  QueueLimits d;
  EXPECT_FALSE(d.adaptive_lifo);
  EXPECT_EQ(d.target, Duration(50ms));
  EXPECT_EQ(d.interval, Duration(1s));
  QueuePolicy p(d, t0);
  p.record_service(10ms, 2);
  p.observe(t0, 1, true);
  EXPECT_EQ(p.max_wait(t0 + 2s), Duration(100ms));  // 10 service times
}

TEST(QueuePolicy, LifoCanBeSwitchedOff) {
  auto l = limits();
  l.adaptive_lifo = false;
  QueuePolicy p(l, t0);
  p.observe(t0, 1, true);
  EXPECT_TRUE(p.overloaded(t0 + 1s));
  EXPECT_FALSE(p.lifo(t0 + 1s));
}

TEST(QueuePolicy, OverloadedWaitScalesWithServiceTime) {
  QueuePolicy p(limits(), t0);
  p.record_service(20ms, 2);
  p.observe(t0, 1, true);
  EXPECT_EQ(p.max_wait(t0 + 200ms), Duration(40ms));
}

TEST(QueuePolicy, ServiceTimeIsAnExponentialAverage) {
  QueuePolicy p(limits(), t0);
  EXPECT_EQ(p.service_time(), Duration(0));
  p.record_service(16ms, 1);
  EXPECT_EQ(p.service_time(), Duration(16ms));
  p.record_service(24ms, 1);
  EXPECT_EQ(p.service_time(), Duration(17ms));  // 16 + (24-16)/8
}

TEST(QueuePolicy, EstimatedWaitDividesByParallelism) {
  QueuePolicy p(limits(), t0);
  EXPECT_EQ(p.estimated_wait(10), Duration(0));  // nothing measured yet
  p.record_service(10ms, 2);
  EXPECT_EQ(p.estimated_wait(6), Duration(30ms));
}

TEST(QueuePolicy, AdmitsUpToTheItemAndByteLimits) {
  QueuePolicy p(limits(), t0);
  EXPECT_EQ(p.admit(t0, TimePoint::max(), 9, 0, 10), Rejection::none);
  EXPECT_EQ(p.admit(t0, TimePoint::max(), 10, 0, 10), Rejection::queue_full);
  EXPECT_EQ(p.admit(t0, TimePoint::max(), 1, 990, 10), Rejection::none);
  EXPECT_EQ(p.admit(t0, TimePoint::max(), 1, 991, 10), Rejection::too_many_bytes);
}

TEST(QueuePolicy, RejectsWhatCannotFinishWithinItsDeadline) {
  QueuePolicy p(limits(), t0);
  p.record_service(10ms, 1);
  // 4 ahead x 10 ms + its own 10 ms = 50 ms.
  EXPECT_EQ(p.admit(t0, t0 + 50ms, 4, 0, 0), Rejection::none);
  EXPECT_EQ(p.admit(t0, t0 + 49ms, 4, 0, 0), Rejection::deadline);
}

TEST(QueuePolicy, WhileOverloadedAWaitBeyondTheLimitIsShedAtTheDoor) {
  auto l = limits();
  l.adaptive_lifo = false;
  QueuePolicy p(l, t0);
  p.record_service(10ms, 1);  // overloaded wait limit: 20 ms
  p.observe(t0, 3, true);
  EXPECT_EQ(p.admit(t0 + 50ms, TimePoint::max(), 3, 0, 0), Rejection::none);  // not overloaded yet
  const auto now = t0 + 150ms;
  EXPECT_EQ(p.admit(now, TimePoint::max(), 2, 0, 0), Rejection::none);  // 20 ms ahead
  EXPECT_EQ(p.admit(now, TimePoint::max(), 3, 0, 0), Rejection::shed);  // 30 ms ahead
}

TEST(QueuePolicy, AnAlreadyExpiredRequestIsRefusedAsExpired) {
  QueuePolicy p(limits(), t0);
  EXPECT_EQ(p.admit(t0, t0, 0, 0, 0), Rejection::expired);
  EXPECT_EQ(p.admit(t0, t0 - 1ms, 0, 0, 0), Rejection::expired);
  EXPECT_EQ(p.admit(t0, t0 + 1ms, 0, 0, 0), Rejection::none);  // nothing measured: it may make it
}

TEST(QueuePolicy, WhileOverloadedANewRequestWaitsBehindNobody) {
  QueuePolicy p(limits(), t0);
  p.record_service(10ms, 1);
  p.observe(t0, 8, true);
  const auto now = t0 + 200ms;
  ASSERT_TRUE(p.lifo(now));
  EXPECT_EQ(p.admit(now, now + 10ms, 8, 0, 0), Rejection::none);
}

TEST(QueuePolicy, FateOfQueuedRequests) {
  QueuePolicy p(limits(), t0);
  p.record_service(10ms, 1);
  EXPECT_EQ(p.fate(t0, t0, t0 + 1s, true), DropReason::abandoned);
  EXPECT_EQ(p.fate(t0 + 1s, t0, t0 + 1s, false), DropReason::expired);
  EXPECT_EQ(p.fate(t0 + 995ms, t0, t0 + 1s, false), DropReason::expired);  // less than a service time left
  EXPECT_EQ(p.fate(t0 + 500ms, t0, t0 + 1s, false), std::nullopt);          // not overloaded: waits
  p.observe(t0, 3, true);
  const auto now = t0 + 150ms;  // overloaded: max wait 20 ms
  EXPECT_EQ(p.fate(now, now - 21ms, now + 10s, false), DropReason::shed);
  EXPECT_EQ(p.fate(now, now - 19ms, now + 10s, false), std::nullopt);
}

TEST(QueuePolicy, PartsOfALargerUnitAreNotShed) {
  QueuePolicy p(limits(), t0);
  p.observe(t0, 3, true);
  EXPECT_EQ(p.fate(t0 + 10s, t0, TimePoint::max(), false, false), std::nullopt);
  EXPECT_EQ(p.fate(t0 + 10s, t0, t0 + 5s, false, false), DropReason::expired);
  EXPECT_EQ(p.fate(t0 + 1s, t0, t0 + 5s, true, false), DropReason::abandoned);
}

TEST(QueuePolicy, SheddingCanBeSwitchedOff) {
  auto l = limits();
  l.shed = false;
  QueuePolicy p(l, t0);
  p.observe(t0, 3, true);
  EXPECT_EQ(p.fate(t0 + 10s, t0, TimePoint::max(), false), std::nullopt);
}

TEST(QueuePolicy, ExpiredWithoutAnyServiceEstimate) {
  QueuePolicy p(limits(), t0);
  EXPECT_EQ(p.fate(t0 + 1s, t0, t0 + 1s, false), DropReason::expired);
  EXPECT_EQ(p.fate(t0 + 999ms, t0, t0 + 1s, false), std::nullopt);
}

TEST(QueuePolicy, Names) {
  EXPECT_STREQ(rejection_name(Rejection::queue_full), "queue_full");
  EXPECT_STREQ(rejection_name(Rejection::too_many_bytes), "too_many_bytes");
  EXPECT_STREQ(rejection_name(Rejection::deadline), "deadline");
  EXPECT_STREQ(rejection_name(Rejection::expired), "expired");
  EXPECT_STREQ(rejection_name(Rejection::shed), "shed");
  EXPECT_STREQ(drop_name(DropReason::abandoned), "abandoned");
  EXPECT_STREQ(drop_name(DropReason::expired), "expired");
  EXPECT_STREQ(drop_name(DropReason::shed), "shed");
}

}  // namespace
}  // namespace mlfaas::overload
