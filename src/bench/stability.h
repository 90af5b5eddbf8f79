#pragma once
// perf_analyzer's stability rule for a measurement step: the last N windows (3) agree when, for
// throughput and for latency, max / min <= 1 + percent / 100; a window with no throughput is never
// stable. mlfaas checks both average and median latency.
#include <cstddef>
#include <span>

namespace mlfaas::bench {

struct WindowMetrics {
  double throughput = 0;  // completed requests per second
  double avg_latency_us = 0;
  double p50_latency_us = 0;
};

bool windows_agree(std::span<const WindowMetrics> windows, double percent, size_t last_n = 3);

}  // namespace mlfaas::bench
