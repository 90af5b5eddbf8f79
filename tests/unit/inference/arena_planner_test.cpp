#include "inference/arena_planner.h"

#include <gtest/gtest.h>

#include <random>

using namespace mlfaas::inference;

namespace {

// No two buffers that are alive at the same step may overlap in memory.
void expect_valid(const std::vector<BufferLifetime>& b, const ArenaLayout& l) {
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(l.offsets[i] % 64, 0u);
    EXPECT_LE(l.offsets[i] + b[i].bytes, l.total);
    for (size_t j = i + 1; j < b.size(); ++j) {
      bool time = !(b[i].last < b[j].first || b[j].last < b[i].first);
      bool space = l.offsets[i] < l.offsets[j] + b[j].bytes && l.offsets[j] < l.offsets[i] + b[i].bytes;
      EXPECT_FALSE(time && space && b[i].bytes && b[j].bytes) << i << " and " << j;
    }
  }
}

TEST(ArenaPlanner, ChainReusesMemory) {
  // A chain a->b->c->d: each buffer lives for two steps; only two are ever alive together.
  std::vector<BufferLifetime> b = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  auto l = plan_arena(b);
  expect_valid(b, l);
  EXPECT_EQ(l.total, 2 * 1024u);
}

TEST(ArenaPlanner, OverlappingLifetimesGetDisjointRanges) {
  std::vector<BufferLifetime> b = {{100, 0, 5}, {200, 1, 3}, {300, 2, 2}};
  auto l = plan_arena(b);
  expect_valid(b, l);
  EXPECT_GE(l.total, 64u * 2 + 256 + 320);
}

TEST(ArenaPlanner, RandomLifetimesNeverCollide) {
  std::mt19937 rng(3);
  for (int round = 0; round < 50; ++round) {
    std::vector<BufferLifetime> b;
    for (int i = 0; i < 40; ++i) {
      int first = int(rng() % 30);
      b.push_back({size_t(rng() % 5000), first, first + int(rng() % 6)});
    }
    expect_valid(b, plan_arena(b));
  }
}

}  // namespace
