#include "bench/bench_run.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <memory>
#include <optional>
#include <thread>

#include "bench/load_run.h"
#include "bench/target.h"

namespace mlfaas::bench {
namespace {

using namespace std::chrono_literals;

std::string utc_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(now));
}

LoadSpec base_spec(const BenchPlan& plan, Clock::time_point origin) {
  LoadSpec s;
  s.endpoint = plan.target.endpoint;
  s.requests = plan.requests;
  s.connections = plan.connections;
  s.threads = plan.threads;
  if (plan.duration) s.duration = std::chrono::duration_cast<Clock::duration>(*plan.duration);
  s.max_requests = plan.max_requests;
  s.timeout = plan.timeout;
  s.rate = plan.rate;
  s.arrival = plan.arrival;
  s.seed = plan.seed;
  s.origin = s.start = origin;
  return s;
}

// Waits for `until` or the end of the run, reporting progress once a second and passing a signal on.
class Watch {
 public:
  Watch(Clock::time_point origin, const ProgressFn& progress, const std::atomic<bool>* interrupt)
      : origin_(origin), progress_(progress), interrupt_(interrupt), next_tick_(origin + 1s) {}

  // Returns false when interrupted.
  bool wait(LoadRun& run, std::optional<Clock::time_point> until, int concurrency) {
    for (;;) {
      if (interrupted()) {
        run.stop();
        return false;
      }
      auto now = Clock::now();
      if (run.finished() || (until && now >= *until)) return true;
      if (progress_ && now >= next_tick_) {
        report(run, now, concurrency);
        next_tick_ += 1s;
        if (next_tick_ < now) next_tick_ = now + 1s;
      }
      std::this_thread::sleep_for(20ms);
    }
  }
  bool interrupted() const { return interrupt_ && interrupt_->load(); }
  // A finished sweep step, so the progress line counts the whole run.
  void add_finished(const Tally& t) {
    earlier_.completed += t.completed;
    for (size_t i = 0; i < kCauseCount; ++i) earlier_.failures[i] += t.failures[i];
  }

 private:
  void report(const LoadRun& run, Clock::time_point now, int concurrency) {
    Progress p;
    p.elapsed_s = std::chrono::duration<double>(now - origin_).count();
    p.concurrency = concurrency;
    const size_t last = size_t(p.elapsed_s) >= 1 ? size_t(p.elapsed_s) - 1 : 0;
    Tally second;
    run.each_recorder([&](const RecordedData& d) {
      p.completed += d.total.completed;
      p.failed += d.total.failed();
      if (last < d.seconds.size()) second.merge(d.seconds.bucket(last));
    });
    p.completed += earlier_.completed;
    p.failed += earlier_.failed();
    p.last_second_rps = double(second.completed);
    p.last_second_p99_us = second.latency.percentile(99);
    progress_(p);
  }

  Tally earlier_;  // counts only
  Clock::time_point origin_;
  const ProgressFn& progress_;
  const std::atomic<bool>* interrupt_;
  Clock::time_point next_tick_;
};

void add_thread_second_rates(const LoadRun& run, RunResult& out) {
  const auto full_seconds = size_t(out.elapsed_s);
  run.each_recorder([&](const RecordedData& d) {
    for (size_t i = 0; i < full_seconds; ++i)
      out.thread_second_rates.push_back(i < d.seconds.size() ? double(d.seconds.bucket(i).completed) : 0.0);
  });
}

void run_single(const BenchPlan& plan, Clock::time_point origin, Watch& watch, RunResult& out) {
  LoadRun run(base_spec(plan, origin));
  run.start();
  if (!watch.wait(run, std::nullopt, plan.connections)) out.interrupted = true;
  run.wait();
  out.data = run.collect();
  out.connections_opened = run.connections_opened();
  out.elapsed_s = std::chrono::duration<double>(run.finished_at() - origin).count();
  add_thread_second_rates(run, out);
}

void run_sweep(const BenchPlan& plan, Clock::time_point origin, Watch& watch, RunResult& out) {
  const double window_s = std::chrono::duration<double>(plan.window).count();
  const auto window = std::chrono::duration_cast<Clock::duration>(plan.window);
  Clock::time_point last_end = origin;
  for (int concurrency : plan.sweep) {
    LoadSpec spec = base_spec(plan, origin);
    spec.connections = concurrency;
    spec.threads = std::min(plan.threads, concurrency);
    spec.duration.reset();
    spec.max_requests = 0;
    spec.start = Clock::now();
    spec.window = window;
    out.concurrency_changes.emplace_back(std::chrono::duration<double>(spec.start - origin).count(), concurrency);

    LoadRun run(spec);
    run.start();
    SweepStep step;
    step.concurrency = concurrency;
    for (int k = 0; k < plan.max_trials; ++k) {
      // Give requests that completed just before the window's end a moment to be recorded.
      if (!watch.wait(run, spec.start + (k + 1) * window + 50ms, concurrency)) {
        out.interrupted = true;
        break;
      }
      RecordedData now = run.collect();
      Tally w = size_t(k) < now.windows.size() ? now.windows.bucket(size_t(k)) : Tally{};
      step.windows.push_back(window_metrics(w, window_s));
      if (windows_agree(step.windows, plan.stability_percent)) {
        step.stable = true;
        break;
      }
    }
    run.stop();
    run.wait();
    RecordedData data = run.collect();
    const size_t n = step.windows.size();
    const size_t used = std::min<size_t>(3, n);
    step.measured = data.windows.sum(n - used, n);
    step.measured_seconds = double(used) * window_s;
    out.data.merge(data);
    out.connections_opened += run.connections_opened();
    // (No per-thread rates for sweeps: the thread count changes from step to step.)
    watch.add_finished(data.total);
    last_end = std::max(last_end, run.finished_at());
    if (n > 0) out.sweep.push_back(std::move(step));
    if (out.interrupted) break;
  }
  out.elapsed_s = std::chrono::duration<double>(last_end - origin).count();
}

}  // namespace

WindowMetrics window_metrics(const Tally& t, double seconds) {
  WindowMetrics m;
  m.throughput = seconds > 0 ? double(t.completed) / seconds : 0;
  m.avg_latency_us = t.latency.mean();
  m.p50_latency_us = t.latency.percentile(50);
  return m;
}

RunResult run_bench(const BenchPlan& plan, const ProgressFn& progress, const std::atomic<bool>* interrupt) {
  RunResult out;
  out.started_at = utc_now();
  const auto origin = Clock::now();
  std::unique_ptr<GatewayPoller> poller;
  if (plan.gateway_origin && plan.function) {
    poller = std::make_unique<GatewayPoller>(function_status_url(*plan.gateway_origin, *plan.function), origin);
    poller->start();
  }
  std::unique_ptr<PrometheusPoller> prom;
  if (plan.prometheus) {
    prom = std::make_unique<PrometheusPoller>(*plan.prometheus, plan.function.value_or(""), origin);
    prom->start();
  }
  Watch watch(origin, progress, interrupt);
  if (plan.mode == LoadMode::sweep)
    run_sweep(plan, origin, watch, out);
  else
    run_single(plan, origin, watch, out);
  if (poller) {
    poller->stop();
    out.gateway = poller->samples();
  }
  if (prom) {
    prom->stop();
    out.prometheus = prom->samples();
  }
  return out;
}

}  // namespace mlfaas::bench
