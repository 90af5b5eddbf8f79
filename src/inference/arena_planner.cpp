#include "inference/arena_planner.h"

#include <algorithm>
#include <numeric>

namespace mlfaas::inference {

ArenaLayout plan_arena(const std::vector<BufferLifetime>& buffers, size_t alignment) {
  ArenaLayout out;
  out.offsets.assign(buffers.size(), 0);
  auto round_up = [&](size_t v) { return (v + alignment - 1) / alignment * alignment; };
  // Greedy by size (largest first), each at the lowest offset that is free for its whole lifetime.
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });
  std::vector<size_t> placed;
  for (size_t idx : order) {
    const auto& b = buffers[idx];
    // Collect the address ranges of placed buffers whose lifetime overlaps b's.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t p : placed) {
      const auto& o = buffers[p];
      if (o.last < b.first || b.last < o.first) continue;
      busy.push_back({out.offsets[p], out.offsets[p] + round_up(o.bytes)});
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0, need = round_up(b.bytes);
    for (auto& [lo, hi] : busy) {
      if (offset + need <= lo) break;
      offset = std::max(offset, hi);
    }
    out.offsets[idx] = offset;
    out.total = std::max(out.total, offset + need);
    placed.push_back(idx);
  }
  return out;
}

}  // namespace mlfaas::inference
