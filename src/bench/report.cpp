#include "bench/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "bench/markdown_html.h"
#include "bench/summary_text.h"
#include "bench/units.h"

namespace mlfaas::bench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The last second of a run is usually cut short; a rate over a sliver of a second is noise, so
// charts leave such a row out (the CSV and JSON keep it, with its length).
constexpr double kMinChartedSeconds = 0.5;

std::string csv_opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

std::string ms_text(double us) { return format_latency_us(us); }

// An empty chart of something over the run's time.
LineChart time_chart(std::string title, std::string y_label) {
  LineChart c;
  c.title = std::move(title);
  c.x.label = "time since start (s)";
  c.y.label = std::move(y_label);
  return c;
}

LineChart throughput_chart(const std::vector<TimelineRow>& rows, bool sweep) {
  LineChart c = time_chart("Throughput over time", "requests per second");
  LineSeries ok{"completed requests/s", {}, "#1f77b4"}, failed{"failed requests/s (any cause)", {}, "#d62728"};
  for (auto& r : rows) {
    if (r.seconds < kMinChartedSeconds) continue;
    uint64_t f = 0;
    for (auto n : r.failures) f += n;
    ok.points.emplace_back(r.t + r.seconds, r.rps);
    failed.points.emplace_back(r.t + r.seconds, double(f) / r.seconds);
  }
  c.series = {ok, failed};
  if (sweep) {
    LineSeries conc{"concurrency", {}, "#2ca02c", true};
    for (auto& r : rows)
      if (r.seconds >= kMinChartedSeconds)
        conc.points.emplace_back(r.t + r.seconds, r.concurrency ? double(*r.concurrency) : kNaN);
    c.series.push_back(conc);
    c.y.label = "requests per second / concurrency";
  }
  return c;
}

LineChart latency_chart(const std::vector<TimelineRow>& rows) {
  LineChart c = time_chart("Latency over time (responses completed in each second)", "latency (ms)");
  LineSeries p50{"p50", {}, "#1f77b4"}, p99{"p99", {}, "#d62728"};
  for (auto& r : rows) {
    if (r.seconds < kMinChartedSeconds) continue;
    const bool any = r.p50_us > 0 || r.p99_us > 0;
    p50.points.emplace_back(r.t + r.seconds, any ? r.p50_us / 1000 : kNaN);
    p99.points.emplace_back(r.t + r.seconds, any ? r.p99_us / 1000 : kNaN);
  }
  c.series = {p50, p99};
  return c;
}

std::optional<LineChart> replicas_chart(const RunResult& r) {
  LineSeries replicas{"replicas (desired)", {}, "#1f77b4", true}, ready{"ready replicas", {}, "#2ca02c"};
  bool any = false;
  int64_t most = 0;
  for (auto& s : r.gateway) {
    if (!s.ok) continue;
    replicas.points.emplace_back(s.t, s.replicas ? double(*s.replicas) : kNaN);
    ready.points.emplace_back(s.t, s.available_replicas ? double(*s.available_replicas) : kNaN);
    any = any || s.replicas || s.available_replicas;
    most = std::max({most, s.replicas.value_or(0), s.available_replicas.value_or(0)});
  }
  if (!any) return std::nullopt;
  LineChart c = time_chart("Replicas over time (from the gateway)", "replicas");
  c.y.max = double(most + 1);  // room above the top line, which is the interesting one
  c.series = {replicas, ready};
  return c;
}

std::optional<LineChart> queue_chart(const RunResult& r) {
  LineSeries q{"queue depth", {}, "#ff7f0e"};
  bool any = false;
  for (auto& s : r.gateway) {
    if (!s.ok) continue;
    q.points.emplace_back(s.t, s.queue_depth ? double(*s.queue_depth) : kNaN);
    any = any || s.queue_depth;
  }
  if (!any) return std::nullopt;
  LineChart c = time_chart("Gateway queue depth over time", "queued requests");
  c.series = {q};
  return c;
}

// The server side from Prometheus (mlfaas bench --prometheus): replica CPU in cores, and the
// replicas Prometheus saw.
std::optional<LineChart> prometheus_chart(const RunResult& r) {
  LineSeries cpu{"replica CPU (cores)", {}, "#9467bd"}, ready{"ready replicas", {}, "#2ca02c"};
  bool any = false;
  for (auto& s : r.prometheus) {
    auto c = s.values.find("cpu_cores");
    auto q = s.values.find("ready_replicas");
    cpu.points.emplace_back(s.t, c == s.values.end() ? kNaN : c->second);
    ready.points.emplace_back(s.t, q == s.values.end() ? kNaN : q->second);
    any = any || c != s.values.end() || q != s.values.end();
  }
  if (!any) return std::nullopt;
  LineChart c = time_chart("Server side over time (from Prometheus)", "cores / replicas");
  c.series = {cpu, ready};
  return c;
}

std::vector<NamedChart> sweep_charts(const RunResult& r) {
  LineChart t, l;
  t.title = "Throughput against concurrency";
  l.title = "Latency against concurrency";
  t.x.label = l.x.label = "concurrent requests (connections)";
  t.y.label = "requests per second";
  l.y.label = "latency (ms)";
  LineSeries rps{"requests/s", {}, "#1f77b4"}, p50{"p50", {}, "#1f77b4"}, p90{"p90", {}, "#ff7f0e"}, p99{"p99", {}, "#d62728"};
  int lo = 1 << 30, hi = 0;
  for (auto& s : r.sweep) {
    const double c = s.concurrency;
    lo = std::min(lo, s.concurrency), hi = std::max(hi, s.concurrency);
    rps.points.emplace_back(c, s.throughput());
    p50.points.emplace_back(c, s.measured.latency.percentile(50) / 1000);
    p90.points.emplace_back(c, s.measured.latency.percentile(90) / 1000);
    p99.points.emplace_back(c, s.measured.latency.percentile(99) / 1000);
  }
  // Doubling sweeps read best on a log axis; either way, the ticks are the steps themselves.
  t.x.log = l.x.log = hi >= 8 * lo;
  for (auto& s : r.sweep) t.x.ticks.push_back(s.concurrency);
  l.x.ticks = t.x.ticks;
  for (auto* s : {&rps, &p50, &p90, &p99}) s->markers = true;
  t.series = {rps};
  l.series = {p50, p90, p99};
  return {{"sweep-throughput.svg", "throughput against concurrency", render_line_chart(t)},
          {"sweep-latency.svg", "latency against concurrency", render_line_chart(l)}};
}

std::string latency_row(const LatencyHistogram& h) {
  return fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |", ms_text(h.mean()), ms_text(h.stdev()),
                     ms_text(h.min()), ms_text(h.percentile(50)), ms_text(h.percentile(75)), ms_text(h.percentile(90)),
                     ms_text(h.percentile(99)), ms_text(h.percentile(99.9)), ms_text(h.max()));
}

std::string load_description(const BenchPlan& p) {
  auto secs = [](auto d) { return format_latency_us(std::chrono::duration<double, std::micro>(d).count()); };
  std::string limit = p.duration ? secs(*p.duration) : fmt::format("{} requests", p.max_requests);
  if (p.duration && p.max_requests) limit += fmt::format(" or {} requests", p.max_requests);
  switch (p.mode) {
    case LoadMode::closed:
      return fmt::format("closed loop (like wrk): {} connections on {} thread{}, {}", p.connections, p.threads,
                         p.threads == 1 ? "" : "s", limit);
    case LoadMode::open:
      return fmt::format("open loop (like wrk2): {:.2f} requests/s, {} arrivals, at most {} connections on {} thread{}, {}",
                         p.rate, arrival_name(p.arrival), p.connections, p.threads, p.threads == 1 ? "" : "s", limit);
    case LoadMode::sweep: {
      std::string steps;
      for (int c : p.sweep) steps += fmt::format("{}{}", steps.empty() ? "" : ", ", c);
      return fmt::format("concurrency sweep ({}), windows of {}, stable when the last 3 agree within {:g}%, at most {} windows a step",
                         steps, secs(p.window), p.stability_percent, p.max_trials);
    }
  }
  return "";
}

std::string payload_description(const BenchPlan& p) {
  if (p.payloads.empty()) return "no body";
  std::string files;
  for (auto& pl : p.payloads)
    files += fmt::format("{}`{}` ({})", files.empty() ? "" : ", ", pl.source, format_bytes(double(pl.body.size())));
  std::string how = encoding_name(p.payload_options.encoding);
  if (p.payload_options.encoding == Encoding::multipart) how += fmt::format(" (field `{}`)", p.payload_options.field);
  return fmt::format("{}, {} as `{}`", files, how, p.payloads.front().content_type);
}

}  // namespace

std::string timeline_csv(const RunResult& r) {
  std::string out =
      "t_s,seconds,requests,requests_per_s,bytes,p50_ms,p99_ms,failed_connect,failed_write,failed_read,"
      "failed_timeout,failed_non_2xx,concurrency,replicas,available_replicas,queue_depth\n";
  for (auto& row : timeline_rows(r)) {
    out += fmt::format("{:g},{:.3f},{},{:.3f},{},{:.3f},{:.3f}", row.t, row.seconds, row.completed, row.rps, row.bytes,
                       row.p50_us / 1000, row.p99_us / 1000);
    for (auto n : row.failures) out += fmt::format(",{}", n);
    out += fmt::format(",{},{},{},{}\n", row.concurrency ? std::to_string(*row.concurrency) : "", csv_opt(row.replicas),
                       csv_opt(row.available_replicas), csv_opt(row.queue_depth));
  }
  return out;
}

LineChart latency_cdf_chart(const LatencyHistogram& h, const std::string& title) {
  LineChart c;
  c.title = title;
  c.x.label = "latency (ms)";
  c.y.label = "requests completed within (%)";
  c.y.min = 0;
  c.y.max = 100;
  LineSeries s{"responses", {}, "#1f77b4"};
  if (h.count()) {
    s.points.emplace_back(h.min() / 1000, 0);
    uint64_t seen = 0;
    for (auto& b : h.buckets()) {
      seen += b.count;
      s.points.emplace_back(std::min(double(b.hi_us), h.max()) / 1000, 100.0 * double(seen) / double(h.count()));
    }
    c.x.log = h.max() > 50 * std::max(h.min(), 1.0);  // long tails read best on a log axis
  }
  c.series = {s};
  return c;
}

std::vector<NamedChart> report_charts(const BenchPlan& plan, const RunResult& r) {
  std::vector<NamedChart> charts;
  auto rows = timeline_rows(r);
  charts.push_back({"throughput.svg", "throughput over time", render_line_chart(throughput_chart(rows, plan.mode == LoadMode::sweep))});
  charts.push_back({"latency.svg", "latency over time", render_line_chart(latency_chart(rows))});
  if (auto c = replicas_chart(r)) charts.push_back({"replicas.svg", "replicas over time", render_line_chart(*c)});
  if (auto c = queue_chart(r)) charts.push_back({"queue-depth.svg", "queue depth over time", render_line_chart(*c)});
  if (auto c = prometheus_chart(r))
    charts.push_back({"server-side.svg", "replica CPU and replicas over time, from Prometheus", render_line_chart(*c)});
  charts.push_back({"latency-cdf.svg", "latency CDF",
                    render_line_chart(latency_cdf_chart(r.data.total.latency, "Latency distribution (CDF) of all responses"))});
  if (plan.mode == LoadMode::sweep)
    for (auto& c : sweep_charts(r)) charts.push_back(std::move(c));
  return charts;
}

std::string report_markdown(const BenchPlan& p, const RunResult& r, std::string_view command_line,
                            std::string_view version, const std::vector<NamedChart>& charts) {
  const Tally& t = r.data.total;
  std::string md = fmt::format("# mlfaas bench: {}\n\n", p.label);
  md += fmt::format("Produced by:\n\n```\n{}\n```\n\n", command_line);
  md += fmt::format("Started {} with mlfaas {}; ran {:.2f} s{}.\n\n", r.started_at, version, r.elapsed_s,
                    r.interrupted ? " (interrupted)" : "");
  md += "## Settings\n\n| | |\n| --- | --- |\n";
  md += fmt::format("| URL | `{}` |\n", p.target.url);
  md += fmt::format("| request | `{} {}` |\n", std::string(http::bhttp::to_string(p.method)), p.target.target);
  md += fmt::format("| body | {} |\n", payload_description(p));
  if (!p.preset.empty()) md += fmt::format("| preset | `{}` |\n", p.preset);
  md += fmt::format("| load | {} |\n", load_description(p));
  md += fmt::format("| timeout | {} per request |\n", format_latency_us(double(p.timeout.count()) * 1000));
  for (auto& [k, v] : p.headers) md += fmt::format("| header | `{}: {}` |\n", k, v);
  if (p.gateway_origin && p.function)
    md += fmt::format("| gateway | `{}`, function `{}` |\n", *p.gateway_origin, *p.function);

  md += "\n## Summary\n\n";
  md += "| requests | requests/s | transfer/s | failed | non-2xx | connect | write | read | timeout |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  md += fmt::format("| {} | {:.2f} | {} | {} | {} | {} | {} | {} | {} |\n\n", t.completed, r.throughput(),
                    format_bytes(r.elapsed_s > 0 ? double(t.bytes) / r.elapsed_s : 0), t.failed(),
                    t.failures_of(Cause::non_2xx), t.failures_of(Cause::connect), t.failures_of(Cause::write),
                    t.failures_of(Cause::read), t.failures_of(Cause::timeout));
  md += "Latency of the responses (any status), from the ";
  md += p.mode == LoadMode::open ? "intended send time" : "send";
  md += " to the last byte:\n\n";
  md += "| mean | stdev | min | p50 | p75 | p90 | p99 | p99.9 | max |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  md += latency_row(t.latency) + "\n\n";
  std::string codes;
  for (auto& [code, n] : t.statuses) codes += fmt::format("{}`{}`: {}", codes.empty() ? "" : ", ", code, n);
  md += fmt::format("Status codes: {}.\n\n", codes.empty() ? "no response arrived" : codes);
  if (t.timed_out.count()) {
    LatencyHistogram all = t.latency;
    all.merge(t.timed_out);
    md += fmt::format("{} requests timed out: they are not in the latency table (wrk leaves them out too). Counted at "
                      "the time they were given up, p50 is {}, p90 {} and p99 {}.\n\n",
                      t.timed_out.count(), ms_text(all.percentile(50)), ms_text(all.percentile(90)), ms_text(all.percentile(99)));
  }
  if (p.mode == LoadMode::open)
    md += fmt::format("Open loop: the sender fell behind the schedule by {} at p99 and {} at most (waiting for the "
                      "sender or for a free connection; that wait is part of the latencies above).\n\n",
                      ms_text(r.data.send_lag.percentile(99)), ms_text(r.data.send_lag.max()));

  if (p.mode == LoadMode::sweep) {
    md += "## Sweep\n\nEach row covers the last 3 measurement windows of its step.\n\n";
    md += "| concurrency | requests/s | avg | p50 | p90 | p99 | failures | stable | windows |\n"
          "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |\n";
    for (auto& s : r.sweep) {
      const auto& l = s.measured.latency;
      md += fmt::format("| {} | {:.2f} | {} | {} | {} | {} | {} | {} | {} |\n", s.concurrency, s.throughput(),
                        ms_text(l.mean()), ms_text(l.percentile(50)), ms_text(l.percentile(90)), ms_text(l.percentile(99)),
                        s.measured.failed(), s.stable ? "yes" : "no", s.windows.size());
    }
    md += "\n";
  }

  md += "## Charts\n\n";
  for (auto& c : charts) md += fmt::format("![{}]({})\n\n", c.alt, c.file);
  if (!r.gateway.empty()) {
    size_t ok = 0;
    for (auto& s : r.gateway) ok += s.ok;
    md += fmt::format("The gateway answered {} of {} once-a-second polls of `/system/function/{}`.\n\n", ok,
                      r.gateway.size(), p.function.value_or(""));
  }
  md += "## Output\n\n```\n";
  md += p.mode == LoadMode::sweep ? sweep_table_text(p, r) : summary_text(p, r);
  md += "```\n";
  return md;
}

void write_text_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(text.data(), std::streamsize(text.size()));
  f.close();
  if (!f) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

void write_report_documents(const std::filesystem::path& dir, const std::string& markdown,
                            std::vector<std::filesystem::path>& written) {
  std::string_view title = markdown;
  title = title.substr(0, title.find('\n'));
  while (!title.empty() && (title.front() == '#' || title.front() == ' ')) title.remove_prefix(1);
  write_text_file(dir / "report.md", markdown);
  written.push_back(dir / "report.md");
  write_text_file(dir / "report.html", markdown_to_html(markdown, title));
  written.push_back(dir / "report.html");
}

std::vector<std::filesystem::path> write_report(const std::filesystem::path& dir, const BenchPlan& plan,
                                                const RunResult& result, std::string_view command_line,
                                                std::string_view version) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  std::vector<std::filesystem::path> written;
  auto charts = report_charts(plan, result);
  for (auto& c : charts) {
    write_text_file(dir / c.file, c.svg);
    written.push_back(dir / c.file);
  }
  write_report_documents(dir, report_markdown(plan, result, command_line, version, charts), written);
  return written;
}

}  // namespace mlfaas::bench
