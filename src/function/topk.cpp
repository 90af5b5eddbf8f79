#include "function/topk.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlfaas::function {

std::vector<Scored> top_k(std::span<const float> scores, int64_t k) {
  k = std::clamp<int64_t>(k, 0, int64_t(scores.size()));
  std::vector<int64_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  auto better = [&](int64_t a, int64_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); };
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), better);
  std::vector<Scored> out;
  out.reserve(size_t(k));
  for (int64_t i = 0; i < k; ++i) out.push_back({idx[i], scores[idx[i]]});
  return out;
}

void softmax_inplace(std::span<float> row) {
  if (row.empty()) return;
  float mx = *std::max_element(row.begin(), row.end());
  double sum = 0;
  for (auto& v : row) {
    v = std::exp(v - mx);
    sum += v;
  }
  for (auto& v : row) v = float(v / sum);
}

}  // namespace mlfaas::function
