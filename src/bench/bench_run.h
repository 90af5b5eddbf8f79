#pragma once
// Runs a BenchPlan: one closed- or open-loop load, or a concurrency sweep, plus the gateway
// watcher, and collects everything the outputs need.
#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "bench/gateway_poller.h"
#include "bench/prometheus_poller.h"
#include "bench/plan.h"
#include "bench/recorder.h"
#include "bench/stability.h"

namespace mlfaas::bench {

struct SweepStep {
  int concurrency = 0;
  bool stable = false;
  std::vector<WindowMetrics> windows;  // every window measured, in order
  Tally measured;                      // the last (up to) 3 windows together
  double measured_seconds = 0;
  double throughput() const { return measured_seconds > 0 ? double(measured.completed) / measured_seconds : 0; }
};

struct RunResult {
  std::string started_at;  // UTC, ISO 8601
  double elapsed_s = 0;    // start of the load to the last completion
  RecordedData data;       // the whole run: totals, per-second timeline, send lag (open loop)
  uint64_t connections_opened = 0;
  std::vector<GatewaySample> gateway;
  std::vector<PrometheusSample> prometheus;
  std::vector<SweepStep> sweep;
  // Sweeps: (seconds since start, concurrency) at the start of each step.
  std::vector<std::pair<double, int>> concurrency_changes;
  // Requests completed per second by each thread in each full second (wrk's Req/Sec row).
  std::vector<double> thread_second_rates;
  bool interrupted = false;
  double throughput() const { return elapsed_s > 0 ? double(data.total.completed) / elapsed_s : 0; }
  // 2xx answers per second, each within the request timeout.
  double goodput() const { return elapsed_s > 0 ? double(data.total.succeeded()) / elapsed_s : 0; }
};

// Live numbers for the progress line, about once a second.
struct Progress {
  double elapsed_s = 0;
  uint64_t completed = 0;
  uint64_t failed = 0;
  double last_second_rps = 0;
  double last_second_p99_us = 0;
  int concurrency = 0;  // sweeps: the current step
};
using ProgressFn = std::function<void(const Progress&)>;

// `interrupt`, when set (by a signal handler), stops the load early; the result covers what ran.
RunResult run_bench(const BenchPlan& plan, const ProgressFn& progress = {}, const std::atomic<bool>* interrupt = nullptr);

// Metrics of one measurement window of `seconds`.
WindowMetrics window_metrics(const Tally& t, double seconds);

}  // namespace mlfaas::bench
