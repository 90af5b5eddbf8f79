#pragma once
// Where one load thread writes its results. Each thread owns one Recorder; the lock is only ever
// contended when the progress line or a sweep reads a snapshot (about once a second), so recording
// stays cheap and readers see consistent numbers while the run goes on.
#include <chrono>
#include <mutex>

#include "bench/histogram.h"
#include "bench/tally.h"
#include "bench/timeline.h"

namespace mlfaas::bench {

using Clock = std::chrono::steady_clock;

struct RecordedData {
  Tally total;
  Timeline seconds{1.0};  // per-second buckets from the run's origin
  Timeline windows;       // measurement windows from the window origin (sweeps); empty otherwise
  LatencyHistogram send_lag;  // open loop: actual minus intended send time
  // The first 2xx response: when it completed (seconds since the run's origin; < 0: none yet) and
  // its latency. From zero replicas, this is the cold start as a caller sees it.
  double first_success_s = -1;
  double first_success_latency_us = 0;
  void merge(const RecordedData& other);
};

class Recorder {
 public:
  // Requests are bucketed by completion time: seconds since `origin`, windows of `window` since
  // `window_origin` (window 0 = no windows).
  Recorder(Clock::time_point origin, Clock::time_point window_origin, Clock::duration window);

  void response(Clock::time_point start, Clock::time_point end, int status, uint64_t bytes);
  void failure(Clock::time_point start, Clock::time_point end, Cause cause);
  void send_lag(Clock::duration lag);

  // Calls f(const RecordedData&) under the lock.
  template <class F>
  auto read(F&& f) const {
    std::lock_guard lk(mu_);
    return f(data_);
  }

 private:
  double seconds_since(Clock::time_point origin, Clock::time_point t) const;
  template <class F>
  void each_tally(Clock::time_point end, F&& f);

  Clock::time_point origin_, window_origin_;
  bool windows_;
  mutable std::mutex mu_;
  RecordedData data_;
};

}  // namespace mlfaas::bench
