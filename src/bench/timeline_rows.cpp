#include "bench/timeline_rows.h"

#include <algorithm>
#include <cmath>

namespace mlfaas::bench {

std::vector<TimelineRow> timeline_rows(const RunResult& r) {
  const auto& seconds = r.data.seconds;
  const size_t n = std::max(seconds.size(), size_t(std::ceil(r.elapsed_s)));
  std::vector<TimelineRow> rows(n);
  for (size_t i = 0; i < n; ++i) {
    TimelineRow& row = rows[i];
    row.t = double(i);
    row.seconds = std::clamp(r.elapsed_s - double(i), 0.001, 1.0);
    if (i < seconds.size()) {
      const Tally& b = seconds.bucket(i);
      row.completed = b.completed;
      row.bytes = b.bytes;
      row.failures = b.failures;
      row.p50_us = b.latency.percentile(50);
      row.p99_us = b.latency.percentile(99);
    }
    row.rps = double(row.completed) / row.seconds;
    for (auto& [t, c] : r.concurrency_changes)
      if (t < double(i + 1)) row.concurrency = c;
  }
  // The latest gateway sample taken during each second.
  for (auto& s : r.gateway) {
    if (!s.ok || s.t < 0) continue;
    size_t i = size_t(s.t);
    if (i >= rows.size()) continue;
    rows[i].replicas = s.replicas;
    rows[i].available_replicas = s.available_replicas;
    rows[i].queue_depth = s.queue_depth;
  }
  return rows;
}

}  // namespace mlfaas::bench
