#include "bench/stability.h"

#include <algorithm>

namespace mlfaas::bench {
namespace {

template <class Get>
bool within(std::span<const WindowMetrics> w, double percent, Get get) {
  auto [lo, hi] = std::minmax_element(w.begin(), w.end(), [&](auto& a, auto& b) { return get(a) < get(b); });
  const double min = get(*lo), max = get(*hi);
  if (!(min > 0)) return false;
  return max / min <= 1 + percent / 100;
}

}  // namespace

bool windows_agree(std::span<const WindowMetrics> windows, double percent, size_t last_n) {
  if (last_n == 0 || windows.size() < last_n) return false;
  auto last = windows.subspan(windows.size() - last_n);
  return within(last, percent, [](auto& m) { return m.throughput; }) &&
         within(last, percent, [](auto& m) { return m.avg_latency_us; }) &&
         within(last, percent, [](auto& m) { return m.p50_latency_us; });
}

}  // namespace mlfaas::bench
