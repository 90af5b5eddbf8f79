#pragma once
// The per-second timeline as rows for the JSON, CSV and charts: one row per second of the run,
// with the gateway's view of the function (when watched) and, in sweeps, the concurrency.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "bench/bench_run.h"

namespace mlfaas::bench {

struct TimelineRow {
  double t = 0;        // start of the second, since the start of the run
  double seconds = 1;  // length covered (the last row may be shorter)
  uint64_t completed = 0;
  double rps = 0;
  uint64_t bytes = 0;
  double p50_us = 0, p99_us = 0;  // of the responses completed in this second; 0 when none
  std::array<uint64_t, kCauseCount> failures{};
  std::optional<int> concurrency;
  std::optional<int64_t> replicas, available_replicas, queue_depth;
};

std::vector<TimelineRow> timeline_rows(const RunResult& result);

}  // namespace mlfaas::bench
