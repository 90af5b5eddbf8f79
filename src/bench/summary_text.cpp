#include "bench/summary_text.h"

#include <map>

#include <fmt/format.h>

#include <cmath>

#include "bench/units.h"

namespace mlfaas::bench {
namespace {

struct Spread {
  double mean = 0, stdev = 0, max = 0, within = 0;  // within: fraction inside mean +/- stdev
};

Spread spread(const std::vector<double>& v) {
  Spread s;
  if (v.empty()) return s;
  for (double x : v) {
    s.mean += x;
    s.max = std::max(s.max, x);
  }
  s.mean /= double(v.size());
  for (double x : v) s.stdev += (x - s.mean) * (x - s.mean);
  s.stdev = std::sqrt(s.stdev / double(v.size()));
  size_t in = 0;
  for (double x : v) in += std::abs(x - s.mean) <= s.stdev;
  s.within = double(in) / double(v.size());
  return s;
}

std::string run_header(const BenchPlan& p, const RunResult& r) {
  std::string out;
  if (p.mode == LoadMode::sweep)
    out += fmt::format("Concurrency sweep @ {}\n", p.target.url);
  else if (p.duration)
    out += fmt::format("Running {} test @ {}\n", format_latency_us(std::chrono::duration<double, std::micro>(*p.duration).count()), p.target.url);
  else
    out += fmt::format("Running {} requests @ {}\n", p.max_requests, p.target.url);
  if (p.mode == LoadMode::open)
    out += fmt::format("  {} threads and {} connections, open loop at {:.2f} requests/s ({} arrivals)\n", p.threads,
                       p.connections, p.rate, arrival_name(p.arrival));
  else if (p.mode == LoadMode::closed)
    out += fmt::format("  {} threads and {} connections\n", p.threads, p.connections);
  if (r.interrupted) out += "  (interrupted: the numbers cover the run until then)\n";
  return out;
}

}  // namespace

std::string summary_text(const BenchPlan& p, const RunResult& r) {
  const Tally& t = r.data.total;
  const LatencyHistogram& lat = t.latency;
  std::string out = run_header(p, r);

  out += "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n";
  const double within = lat.fraction_between(lat.mean() - lat.stdev(), lat.mean() + lat.stdev());
  out += fmt::format("    Latency {:>10} {:>9} {:>9} {:>8.2f}%\n", format_latency_us(lat.mean()),
                     format_latency_us(lat.stdev()), format_latency_us(lat.max()), within * 100);
  if (!r.thread_second_rates.empty()) {
    Spread s = spread(r.thread_second_rates);
    out += fmt::format("    Req/Sec {:>10} {:>9} {:>9} {:>8.2f}%\n", format_count(s.mean), format_count(s.stdev),
                       format_count(s.max), s.within * 100);
  }
  out += "  Latency Distribution\n";
  for (auto [label, q] : {std::pair{"50%", 50.0}, {"75%", 75.0}, {"90%", 90.0}, {"99%", 99.0}, {"99.9%", 99.9}})
    out += fmt::format("  {:>6} {:>9}\n", label, format_latency_us(lat.percentile(q)));
  out += fmt::format("  {} requests in {:.2f}s, {} read\n", t.completed, r.elapsed_s, format_bytes(double(t.bytes)));
  if (t.socket_errors())
    out += fmt::format("  Socket errors: connect {}, read {}, write {}, timeout {}\n", t.failures_of(Cause::connect),
                       t.failures_of(Cause::read), t.failures_of(Cause::write), t.failures_of(Cause::timeout));
  if (t.failures_of(Cause::non_2xx)) out += fmt::format("  Non-2xx responses: {}\n", t.failures_of(Cause::non_2xx));
  out += fmt::format("Requests/sec: {:>10.2f}\n", r.throughput());
  out += fmt::format("Goodput/sec:  {:>10.2f}  (2xx within the {} timeout; {:.1f}% of requests)\n", r.goodput(),
                     format_latency_us(double(p.timeout.count()) * 1000),
                     r.throughput() > 0 ? 100 * r.goodput() / r.throughput() : 0.0);
  out += fmt::format("Transfer/sec: {:>10}\n", format_bytes(r.elapsed_s > 0 ? double(t.bytes) / r.elapsed_s : 0));

  // What wrk does not print.
  std::string codes;
  for (auto& [code, n] : t.statuses) codes += fmt::format("{}{} x {}", codes.empty() ? "" : ", ", code, n);
  out += fmt::format("Status codes: {}\n", codes.empty() ? "none (no response arrived)" : codes);
  const double pct = t.completed ? 100.0 * double(t.failed()) / double(t.completed) : 0;
  out += fmt::format("Failures by cause: connect {}, write {}, read {}, timeout {}, non-2xx {} ({} of {} requests, {:.2f}%)\n",
                     t.failures_of(Cause::connect), t.failures_of(Cause::write), t.failures_of(Cause::read),
                     t.failures_of(Cause::timeout), t.failures_of(Cause::non_2xx), t.failed(), t.completed, pct);
  if (const auto& n = t.non_2xx_latency; n.count())
    out += fmt::format("Non-2xx latency: p50 {}, p90 {}, p99 {}, max {} (how fast requests were turned away)\n",
                       format_latency_us(n.percentile(50)), format_latency_us(n.percentile(90)),
                       format_latency_us(n.percentile(99)), format_latency_us(n.max()));
  if (r.throughput() > 0 && r.goodput() < 0.5 * r.throughput())
    out += fmt::format("Warning: goodput ({:.1f}/s) is far below throughput ({:.1f}/s): most requests were answered "
                       "with errors or too late; the server is overloaded or failing.\n",
                       r.goodput(), r.throughput());
  if (t.timed_out.count()) {
    LatencyHistogram all = lat;
    all.merge(t.timed_out);
    out += fmt::format(
        "Timeouts: {} requests got no response within {} and are not in the latency figures above (wrk leaves "
        "them out too). Counted at the time they were given up: p50 {}, p90 {}, p99 {}.\n",
        t.timed_out.count(), format_latency_us(double(p.timeout.count()) * 1000), format_latency_us(all.percentile(50)),
        format_latency_us(all.percentile(90)), format_latency_us(all.percentile(99)));
  }
  if (p.mode == LoadMode::open)
    out += fmt::format(
        "Open loop: latency counts from each request's intended send time. Send lag (actual minus intended send "
        "time, waiting for the sender or a free connection): p50 {}, p99 {}, max {}.\n",
        format_latency_us(r.data.send_lag.percentile(50)), format_latency_us(r.data.send_lag.percentile(99)),
        format_latency_us(r.data.send_lag.max()));
  out += fmt::format("Connections opened: {}\n", r.connections_opened);
  if (!r.prometheus.empty()) {
    // max and mean of each recorded series, from Prometheus (mlfaas bench --prometheus).
    std::map<std::string, std::pair<double, std::pair<double, int>>> agg;  // name -> (max, (sum, n))
    for (auto& s : r.prometheus)
      for (auto& [k, v] : s.values) {
        auto& a = agg[k];
        a.first = a.second.second == 0 ? v : std::max(a.first, v);
        a.second.first += v;
        a.second.second++;
      }
    out += fmt::format("Server side (Prometheus, {} samples):", r.prometheus.size());
    if (agg.empty()) out += " no data";
    for (auto& [k, a] : agg)
      out += fmt::format(" {} max {:.3g} mean {:.3g};", k, a.first, a.second.first / std::max(1, a.second.second));
    out += "\n";
  }
  return out;
}

std::string sweep_table_text(const BenchPlan& p, const RunResult& r) {
  std::string out = run_header(p, r);
  out += fmt::format("  {} threads at most; windows of {}, a step is stable when its last 3 windows agree within {:g}% "
                     "(at most {} windows)\n",
                     p.threads, format_latency_us(std::chrono::duration<double, std::micro>(p.window).count()),
                     p.stability_percent, p.max_trials);
  out += fmt::format("  {:>11} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9} {:>7}\n", "concurrency", "req/s", "avg", "p50",
                     "p90", "p99", "failures", "stable");
  for (auto& s : r.sweep) {
    const auto& l = s.measured.latency;
    out += fmt::format("  {:>11} {:>10.2f} {:>10} {:>10} {:>10} {:>10} {:>9} {:>7}\n", s.concurrency, s.throughput(),
                       format_latency_us(l.mean()), format_latency_us(l.percentile(50)),
                       format_latency_us(l.percentile(90)), format_latency_us(l.percentile(99)), s.measured.failed(),
                       s.stable ? "yes" : fmt::format("no ({})", s.windows.size()));
  }
  out += "  (each row: the last 3 windows of the step; failures include non-2xx responses)\n";
  return out;
}

}  // namespace mlfaas::bench
