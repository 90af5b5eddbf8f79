#include "function/topk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace mlfaas::function {
namespace {

TEST(TopK, HighestFirstTiesByLowerIndex) {
  std::vector<float> s = {0.1f, 0.5f, 0.2f, 0.5f, 0.0f};
  auto t = top_k(s, 3);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].index, 1);
  EXPECT_EQ(t[1].index, 3);
  EXPECT_EQ(t[2].index, 2);
  EXPECT_FLOAT_EQ(t[0].score, 0.5f);
}

TEST(TopK, KIsClampedToTheRow) {
  std::vector<float> s = {0.3f, 0.7f};
  EXPECT_EQ(top_k(s, 10).size(), 2u);
  EXPECT_TRUE(top_k(s, 0).empty());
}

TEST(Softmax, SumsToOneAndIsStableForLargeLogits) {
  std::vector<float> r = {1000.f, 1001.f, 999.f};
  softmax_inplace(r);
  float sum = r[0] + r[1] + r[2];
  EXPECT_NEAR(sum, 1.f, 1e-6f);
  for (float v : r) EXPECT_TRUE(std::isfinite(v));
  EXPECT_GT(r[1], r[0]);
  EXPECT_GT(r[0], r[2]);
}

}  // namespace
}  // namespace mlfaas::function
