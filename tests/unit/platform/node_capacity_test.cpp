#include "platform/node_capacity.h"

#include <gtest/gtest.h>

namespace mlfaas::platform {
namespace {

TEST(NodeCapacity, ReplicasFitUntilTheCoresAreReserved) {
  NodeCapacity n(2);
  EXPECT_TRUE(n.reserve(1));
  EXPECT_TRUE(n.reserve(1));
  EXPECT_FALSE(n.reserve(1));  // pending
  EXPECT_DOUBLE_EQ(n.reserved(), 2);
  n.release(1);
  EXPECT_TRUE(n.reserve(1));
}

TEST(NodeCapacity, FractionalRequestsAddUpExactly) {
  NodeCapacity n(0.3);
  EXPECT_TRUE(n.reserve(0.1));
  EXPECT_TRUE(n.reserve(0.2));
  EXPECT_FALSE(n.reserve(0.1));
}

TEST(NodeCapacity, NoRequestReservesNothing) {
  NodeCapacity n(1);
  EXPECT_TRUE(n.reserve(1));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(n.reserve(0));
  EXPECT_DOUBLE_EQ(n.reserved(), 1);
}

TEST(NodeCapacity, ARequestAboveTheNodeRunsAloneOnTheWholeNode) {
  NodeCapacity n(2);
  EXPECT_DOUBLE_EQ(n.reservation(4), 2);
  EXPECT_TRUE(n.reserve(4));
  EXPECT_FALSE(n.reserve(4));
  EXPECT_FALSE(n.reserve(0.5));
  n.release(4);
  EXPECT_DOUBLE_EQ(n.reserved(), 0);
}

}  // namespace
}  // namespace mlfaas::platform
