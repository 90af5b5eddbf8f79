#include "overload/timed_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace mlfaas::overload {
namespace {

using namespace std::chrono_literals;

const TimePoint t0 = TimePoint{} + std::chrono::hours(100);

QueueLimits limits() {
  QueueLimits l;
  l.max_items = 100;
  l.max_bytes = 1000;
  l.interval = 100ms;
  l.target = 5ms;
  l.service_multiple = 2;
  l.adaptive_lifo = true;
  return l;
}

struct Dropped {
  std::vector<std::pair<int, DropReason>> items;
  auto fn() {
    return [this](int&& v, DropReason why, TimePoint) { items.push_back({v, why}); };
  }
};

Admission adm(TimePoint deadline, uint64_t bytes, CancelFlag c = nullptr) {
  Admission a;
  a.deadline = deadline;
  a.bytes = bytes;
  a.cancelled = std::move(c);
  return a;
}

int push(TimedQueue<int>& q, TimePoint now, int v, Admission a = {}) {
  int copy = v;
  EXPECT_EQ(q.push(now, copy, a), Rejection::none);
  return v;
}

TEST(TimedQueue, FirstComeFirstServedWhenNotOverloaded) {
  TimedQueue<int> q(limits(), t0);
  push(q, t0, 1);
  push(q, t0 + 1ms, 2);
  push(q, t0 + 2ms, 3);
  EXPECT_EQ(q.pop(t0 + 3ms)->first, 1);
  EXPECT_EQ(q.pop(t0 + 3ms)->first, 2);
  auto last = q.pop(t0 + 3ms);
  EXPECT_EQ(last->first, 3);
  EXPECT_EQ(last->second, t0 + 2ms);
  EXPECT_FALSE(q.pop(t0 + 3ms));
}

TEST(TimedQueue, NewestFirstWhileOverloaded) {
  auto l = limits();
  l.shed = false;
  TimedQueue<int> q(l, t0);
  for (int i = 0; i < 5; ++i) push(q, t0 + std::chrono::milliseconds(i), i);
  const auto now = t0 + 150ms;  // never drained for > 100 ms
  EXPECT_EQ(q.pop(now)->first, 4);
  EXPECT_EQ(q.pop(now)->first, 3);
}

TEST(TimedQueue, FifoWhileOverloadedShedsTheOldestAndServesTheNext) {
  auto l = limits();
  l.adaptive_lifo = false;
  TimedQueue<int> q(l, t0);
  q.policy().record_service(10ms, 1);  // overloaded wait: 20 ms
  for (int i = 0; i < 4; ++i) push(q, t0 + std::chrono::milliseconds(30 * i), i);  // at 0, 30, 60, 90 ms
  Dropped d;
  const auto now = t0 + 105ms;  // overloaded since 100 ms
  // 0, 1 and 2 waited too long; 3 waited 15 ms.
  EXPECT_EQ(q.sweep(now, d.fn()), 3u);
  EXPECT_EQ(d.items[0], std::make_pair(0, DropReason::shed));
  EXPECT_EQ(d.items[2], std::make_pair(2, DropReason::shed));
  EXPECT_EQ(q.pop(now)->first, 3);
  EXPECT_FALSE(q.pop(now));
}

TEST(TimedQueue, RejectionLeavesTheValueWithTheCaller) {
  auto l = limits();
  l.max_items = 1;
  TimedQueue<int> q(l, t0);
  push(q, t0, 1);
  int v = 7;
  EXPECT_EQ(q.push(t0, v, {}), Rejection::queue_full);
  EXPECT_EQ(v, 7);
  EXPECT_EQ(q.size(), 1u);
}

TEST(TimedQueue, CountsBytesInAndOut) {
  TimedQueue<int> q(limits(), t0);
  push(q, t0, 1, adm(TimePoint::max(), 600));
  int v = 2;
  EXPECT_EQ(q.push(t0, v, adm(TimePoint::max(), 500)), Rejection::too_many_bytes);
  EXPECT_EQ(q.bytes(), 600u);
  q.pop(t0);
  EXPECT_EQ(q.bytes(), 0u);
  push(q, t0, 3, adm(TimePoint::max(), 1000));
}

TEST(TimedQueue, SweepDropsAbandonedAndExpired) {
  TimedQueue<int> q(limits(), t0);
  auto flag = std::make_shared<std::atomic<bool>>(false);
  push(q, t0, 1, adm(t0 + 1s, 10, flag));
  push(q, t0, 2, adm(t0 + 50ms, 20));
  push(q, t0, 3, adm(t0 + 1s, 30));
  Dropped d;
  EXPECT_EQ(q.sweep(t0 + 10ms, d.fn()), 0u);
  flag->store(true);
  EXPECT_EQ(q.sweep(t0 + 60ms, d.fn()), 2u);
  ASSERT_EQ(d.items.size(), 2u);
  EXPECT_EQ(d.items[0], std::make_pair(1, DropReason::abandoned));
  EXPECT_EQ(d.items[1], std::make_pair(2, DropReason::expired));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 30u);
}

TEST(TimedQueue, SweepShedsOldRequestsWhileOverloadedButSparesTheNextOne) {
  TimedQueue<int> q(limits(), t0);
  q.policy().record_service(10ms, 1);  // overloaded wait: 20 ms
  for (int i = 0; i < 4; ++i) push(q, t0 + std::chrono::milliseconds(40 * i), i);  // at 0, 40, 80, 120 ms
  Dropped d;
  const auto now = t0 + 130ms;  // overloaded since 100 ms; the newest waited 10 ms
  EXPECT_EQ(q.sweep(now, d.fn()), 3u);
  EXPECT_EQ(q.pop(now)->first, 3);

  // Only late requests left: the next one is still served rather than leaving the slot idle.
  push(q, now, 10);
  push(q, now + 1ms, 11);
  Dropped d2;
  q.sweep(now + 200ms, d2.fn());
  ASSERT_EQ(d2.items.size(), 1u);
  EXPECT_EQ(d2.items[0], std::make_pair(10, DropReason::shed));
  EXPECT_EQ(q.pop(now + 200ms)->first, 11);
}

TEST(TimedQueue, NothingIsShedWhileWaitingForCapacity) {
  TimedQueue<int> q(limits(), t0);
  q.set_can_serve(t0, false);
  push(q, t0, 1);
  push(q, t0, 2);
  Dropped d;
  EXPECT_EQ(q.sweep(t0 + 2s, d.fn()), 0u);
  q.set_can_serve(t0 + 2s, true);
  EXPECT_EQ(q.pop(t0 + 2s)->first, 1);  // first come, first served once capacity appears
}

TEST(TimedQueue, ABatchAloneIsNoOverload) {
  TimedQueue<int> q(limits(), t0);
  q.policy().record_service(10ms, 1);
  for (int i = 0; i < 48; ++i) {
    Admission a;
    a.sheddable = false;
    int v = i;
    ASSERT_EQ(q.push(t0, v, a), Rejection::none);
  }
  EXPECT_FALSE(q.policy().overloaded(t0 + 300ms));
  push(q, t0 + 300ms, 100);  // a single request behind the batch is admitted, not shed
  EXPECT_EQ(q.size(), 49u);
  EXPECT_TRUE(q.policy().overloaded(t0 + 401ms));  // once single requests stand in the queue, it is
}

TEST(TimedQueue, ClearHandsBackEverything) {
  TimedQueue<int> q(limits(), t0);
  push(q, t0, 1, adm(TimePoint::max(), 5));
  push(q, t0, 2, adm(TimePoint::max(), 5));
  std::vector<int> got;
  q.clear([&](int&& v) { got.push_back(v); });
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(TimedQueue, OldestArrival) {
  TimedQueue<int> q(limits(), t0);
  EXPECT_FALSE(q.oldest_arrival());
  push(q, t0 + 5ms, 1);
  push(q, t0 + 9ms, 2);
  EXPECT_EQ(q.oldest_arrival(), t0 + 5ms);
}

}  // namespace
}  // namespace mlfaas::overload
