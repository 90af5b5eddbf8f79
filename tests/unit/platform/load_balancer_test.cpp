#include "platform/load_balancer.h"

#include <gtest/gtest.h>

#include <map>

using mlfaas::platform::LoadBalancer;

namespace {

TEST(LoadBalancer, NothingRoutableMeansWait) {
  LoadBalancer lb;
  EXPECT_FALSE(lb.acquire());
  lb.add(1, 0);
  EXPECT_FALSE(lb.acquire());  // starting replicas are not routable
  lb.set_routable(1, true);
  EXPECT_EQ(lb.acquire(), 1);
}

TEST(LoadBalancer, LeastLoadedFirstAndRoundRobinAmongEquals) {
  LoadBalancer lb;
  for (int id : {1, 2, 3}) {
    lb.add(id, 0);
    lb.set_routable(id, true);
  }
  std::map<int, int> picks;
  for (int i = 0; i < 9; ++i) picks[*lb.acquire()]++;
  EXPECT_EQ(picks[1], 3);
  EXPECT_EQ(picks[2], 3);
  EXPECT_EQ(picks[3], 3);
  lb.release(2);
  lb.release(2);
  EXPECT_EQ(lb.acquire(), 2);  // now the least loaded
  EXPECT_EQ(lb.total_in_flight(), 8);
}

TEST(LoadBalancer, ContainerConcurrencyIsAHardLimit) {
  LoadBalancer lb;
  lb.add(1, 2);
  lb.set_routable(1, true);
  EXPECT_EQ(lb.acquire(), 1);
  EXPECT_EQ(lb.acquire(), 1);
  EXPECT_FALSE(lb.acquire());
  EXPECT_EQ(lb.free_capacity(), 0);
  lb.add(2, 2);  // a replica that became ready after the request arrived takes it
  lb.set_routable(2, true);
  EXPECT_EQ(lb.acquire(), 2);
  lb.release(1);
  EXPECT_EQ(lb.free_capacity(), 2);
}

TEST(LoadBalancer, DrainingReplicasGetNoNewRequests) {
  LoadBalancer lb;
  lb.add(1, 0);
  lb.add(2, 0);
  lb.set_routable(1, true);
  lb.set_routable(2, true);
  lb.set_routable(1, false);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(lb.acquire(), 2);
  lb.remove(2);
  EXPECT_FALSE(lb.acquire());
  lb.release(2);  // a request finishing on a removed replica is harmless
  EXPECT_EQ(lb.routable_count(), 0);
  EXPECT_EQ(lb.free_capacity(), 0);
}

TEST(LoadBalancer, ARetryAvoidsTheReplicaThatFailedUnlessItIsTheOnlyOneWithRoom) {
  LoadBalancer lb;
  lb.add(1, 1);
  lb.add(2, 1);
  lb.set_routable(1, true);
  lb.set_routable(2, true);
  EXPECT_EQ(lb.acquire(1), 2);  // 1 is less loaded after a tie-break, but it just failed
  lb.release(2);
  EXPECT_EQ(lb.acquire(2), 1);
  EXPECT_EQ(lb.acquire(1), 2);
  EXPECT_FALSE(lb.acquire(1));  // avoiding never exceeds containerConcurrency
  lb.release(1);
  lb.release(2);
  lb.set_routable(2, false);
  EXPECT_EQ(lb.acquire(1), 1);  // the only replica left with room
}

}  // namespace
