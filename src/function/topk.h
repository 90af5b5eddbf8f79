#pragma once
// Top-k selection and softmax over one row of scores.
#include <cstdint>
#include <span>
#include <vector>

namespace mlfaas::function {

struct Scored {
  int64_t index;
  float score;
};

// The k highest scores, highest first; ties keep the lower index first (stable across runs).
std::vector<Scored> top_k(std::span<const float> scores, int64_t k);
// In-place numerically stable softmax (for models whose output kind is logits).
void softmax_inplace(std::span<float> row);

}  // namespace mlfaas::function
