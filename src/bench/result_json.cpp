#include "bench/result_json.h"

#include <boost/json.hpp>

#include "bench/timeline_rows.h"
#include "bench/target.h"

namespace mlfaas::bench {
namespace json = boost::json;
namespace {

double ms(double us) { return us / 1000.0; }

template <class T>
json::value opt(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object settings_json(const BenchPlan& p) {
  json::object s;
  s["url"] = p.target.url;
  s["request_target"] = p.target.target;
  s["method"] = std::string(http::bhttp::to_string(p.method));
  s["mode"] = mode_name(p.mode);
  s["connections"] = p.connections;
  s["threads"] = p.threads;
  s["duration_s"] = p.duration ? json::value(std::chrono::duration<double>(*p.duration).count()) : json::value(nullptr);
  s["requests"] = p.max_requests ? json::value(p.max_requests) : json::value(nullptr);
  s["timeout_ms"] = p.timeout.count();
  s["rate"] = p.rate > 0 ? json::value(p.rate) : json::value(nullptr);
  s["arrival"] = arrival_name(p.arrival);
  s["seed"] = p.seed;
  json::array files, sizes;
  for (auto& pl : p.payloads) {
    files.push_back(json::value(pl.source));
    sizes.push_back(pl.body.size());
  }
  json::object payload;
  payload["encoding"] = p.payloads.empty() ? "none" : encoding_name(p.payload_options.encoding);
  payload["files"] = std::move(files);
  payload["body_bytes"] = std::move(sizes);
  if (p.payload_options.encoding == Encoding::multipart) payload["multipart_field"] = p.payload_options.field;
  s["payload"] = std::move(payload);
  json::array headers;
  for (auto& [k, v] : p.headers) headers.push_back(json::array{json::value(k), json::value(v)});
  s["headers"] = std::move(headers);
  s["preset"] = p.preset.empty() ? json::value(nullptr) : json::value(p.preset);
  s["label"] = p.label;
  s["gateway"] = opt(p.gateway_origin);
  s["function"] = opt(p.function);
  if (p.mode == LoadMode::sweep) {
    json::array steps;
    for (int c : p.sweep) steps.push_back(c);
    s["sweep"] = std::move(steps);
    s["window_s"] = std::chrono::duration<double>(p.window).count();
    s["stability_percent"] = p.stability_percent;
    s["max_trials"] = p.max_trials;
  }
  return s;
}

json::object summary_json(const BenchPlan& p, const RunResult& r) {
  const Tally& t = r.data.total;
  json::object s;
  s["elapsed_s"] = r.elapsed_s;
  s["requests"] = t.completed;
  s["responses"] = t.responses;
  s["requests_per_s"] = r.throughput();
  s["goodput_per_s"] = r.goodput();
  s["bytes"] = t.bytes;
  s["transfer_bytes_per_s"] = r.elapsed_s > 0 ? double(t.bytes) / r.elapsed_s : 0.0;
  s["latency_ms"] = latency_json(t.latency);
  s["non_2xx_latency_ms"] = latency_json(t.non_2xx_latency);
  json::object status;
  for (auto& [code, n] : t.statuses) status[std::to_string(code)] = n;
  s["status"] = std::move(status);
  s["failures"] = failures_json(t);
  json::object timeouts;
  timeouts["count"] = t.timed_out.count();
  timeouts["mean_ms"] = ms(t.timed_out.mean());
  timeouts["max_ms"] = ms(t.timed_out.max());
  s["timeouts"] = std::move(timeouts);
  LatencyHistogram with_timeouts = t.latency;
  with_timeouts.merge(t.timed_out);
  json::object wt;
  for (auto [key, q] : {std::pair{"p50", 50.0}, {"p90", 90.0}, {"p99", 99.0}, {"p99_9", 99.9}}) wt[key] = ms(with_timeouts.percentile(q));
  s["latency_with_timeouts_ms"] = std::move(wt);
  s["connections_opened"] = r.connections_opened;
  // The first 2xx: when it arrived (since the start) and its latency; from zero replicas, the cold
  // start as the caller saw it.
  s["first_success_s"] = r.data.first_success_s >= 0 ? json::value(r.data.first_success_s) : json::value(nullptr);
  s["first_success_latency_ms"] =
      r.data.first_success_s >= 0 ? json::value(ms(r.data.first_success_latency_us)) : json::value(nullptr);
  if (p.mode == LoadMode::open) {
    json::object lag;
    lag["p50"] = ms(r.data.send_lag.percentile(50));
    lag["p99"] = ms(r.data.send_lag.percentile(99));
    lag["max"] = ms(r.data.send_lag.max());
    s["send_lag_ms"] = std::move(lag);
  }
  s["interrupted"] = r.interrupted;
  return s;
}

json::object histogram_json(const LatencyHistogram& h) {
  json::object o;
  o["unit"] = "us";
  o["layout"] = "[lo, hi, count]: count of responses with lo <= latency < hi";
  json::array buckets;
  for (auto& b : h.buckets()) buckets.push_back(json::array{b.lo_us, b.hi_us, b.count});
  o["buckets"] = std::move(buckets);
  return o;
}

json::array timeline_json(const RunResult& r) {
  json::array rows;
  for (auto& row : timeline_rows(r)) {
    json::object o;
    o["t_s"] = row.t;
    o["seconds"] = row.seconds;
    o["requests"] = row.completed;
    o["requests_per_s"] = row.rps;
    o["bytes"] = row.bytes;
    o["p50_ms"] = ms(row.p50_us);
    o["p99_ms"] = ms(row.p99_us);
    json::object f;
    for (Cause c : kAllCauses) f[cause_name(c)] = row.failures[size_t(c)];
    o["failures"] = std::move(f);
    if (row.concurrency) o["concurrency"] = *row.concurrency;
    if (!r.gateway.empty()) {
      o["replicas"] = opt(row.replicas);
      o["available_replicas"] = opt(row.available_replicas);
      o["queue_depth"] = opt(row.queue_depth);
    }
    rows.push_back(std::move(o));
  }
  return rows;
}

json::object gateway_json(const BenchPlan& p, const RunResult& r) {
  json::object g;
  g["status_url"] = function_status_url(*p.gateway_origin, *p.function);
  json::array samples;
  for (auto& s : r.gateway) {
    json::object o;
    o["t_s"] = s.t;
    o["ok"] = s.ok;
    o["status"] = s.status;
    o["replicas"] = opt(s.replicas);
    o["available_replicas"] = opt(s.available_replicas);
    o["queue_depth"] = opt(s.queue_depth);
    if (!s.error.empty()) o["error"] = s.error;
    samples.push_back(std::move(o));
  }
  g["samples"] = std::move(samples);
  return g;
}

json::array sweep_json(const RunResult& r) {
  json::array steps;
  for (auto& st : r.sweep) {
    json::object o;
    o["concurrency"] = st.concurrency;
    o["stable"] = st.stable;
    o["requests_per_s"] = st.throughput();
    o["avg_ms"] = ms(st.measured.latency.mean());
    o["p50_ms"] = ms(st.measured.latency.percentile(50));
    o["p90_ms"] = ms(st.measured.latency.percentile(90));
    o["p99_ms"] = ms(st.measured.latency.percentile(99));
    o["requests"] = st.measured.completed;
    o["failures"] = failures_json(st.measured);
    o["measured_s"] = st.measured_seconds;
    json::array windows;
    for (auto& w : st.windows)
      windows.push_back(json::object{{"requests_per_s", w.throughput}, {"avg_ms", ms(w.avg_latency_us)}, {"p50_ms", ms(w.p50_latency_us)}});
    o["windows"] = std::move(windows);
    steps.push_back(std::move(o));
  }
  return steps;
}

}  // namespace

json::object latency_json(const LatencyHistogram& h) {
  json::object o;
  o["min"] = ms(h.min());
  o["mean"] = ms(h.mean());
  o["stdev"] = ms(h.stdev());
  o["max"] = ms(h.max());
  for (auto [key, q] : {std::pair{"p50", 50.0}, {"p75", 75.0}, {"p90", 90.0}, {"p99", 99.0}, {"p99_9", 99.9}})
    o[key] = ms(h.percentile(q));
  return o;
}

json::object failures_json(const Tally& t) {
  json::object f;
  for (Cause c : kAllCauses) f[cause_name(c)] = t.failures_of(c);
  f["total"] = t.failed();
  return f;
}

json::object result_to_json(const BenchPlan& plan, const RunResult& r, std::string_view version,
                            std::string_view command_line) {
  json::object o;
  o["format"] = "mlfaas-bench";
  o["format_version"] = kJsonFormatVersion;
  o["mlfaas_version"] = version;
  o["command"] = command_line;
  o["started_at"] = r.started_at;
  o["settings"] = settings_json(plan);
  o["summary"] = summary_json(plan, r);
  o["latency_histogram"] = histogram_json(r.data.total.latency);
  o["timeline"] = timeline_json(r);
  if (plan.gateway_origin && plan.function) o["gateway"] = gateway_json(plan, r);
  if (plan.prometheus) {
    // The server side during the run, from Prometheus (mlfaas bench --prometheus).
    json::array samples;
    for (auto& s : r.prometheus) {
      json::object x{{"t_s", s.t}};
      for (auto& [k, v] : s.values) x[k] = v;
      samples.push_back(std::move(x));
    }
    json::object queries;
    for (auto& [k, q] : prometheus_queries(plan.function.value_or(""))) queries[k] = q;
    o["prometheus"] = json::object{{"url", *plan.prometheus}, {"queries", std::move(queries)}, {"samples", std::move(samples)}};
  }
  if (plan.mode == LoadMode::sweep) o["sweep"] = sweep_json(r);
  return o;
}

}  // namespace mlfaas::bench
