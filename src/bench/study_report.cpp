#include "bench/study_report.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "bench/result_json.h"
#include "bench/svg_chart.h"
#include "bench/units.h"

namespace mlfaas::bench {
namespace json = boost::json;
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kStudyColor = "#9a9a9a";
constexpr const char* kRunColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
constexpr const char* kDash = "—";

std::string ms_text(double us) { return format_latency_us(us); }

std::string profile_title(std::string_view name) {
  auto* p = find_study_profile(name);
  return p ? p->title : std::string(name);
}

// "Knative", "OpenFaaS" for table headers.
std::string profile_short(std::string_view name) {
  if (name == "knative") return "Knative";
  if (name == "openfaas") return "OpenFaaS";
  return std::string(name);
}

std::string client_short(std::string_view name) { return profile_short(name) + " client"; }

std::string statuses_text(const std::map<int, uint64_t>& statuses) {
  std::string out;
  for (auto& [code, n] : statuses) out += fmt::format("{}{} × {}", out.empty() ? "" : ", ", code, n);
  return out.empty() ? "none" : out;
}

std::string percent(double fraction) { return fraction < 0 ? "unknown" : fmt::format("{:.0f} %", fraction * 100); }

std::string gib(uint64_t bytes) { return fmt::format("{:.1f} GiB", double(bytes) / double(1ull << 30)); }

// One column of the side-by-side table: the study's published figures or one of our runs.
struct Column {
  std::string header;
  const PublishedFigures* published = nullptr;
  const StudyRun* run = nullptr;
};

std::vector<Column> table_columns(const StudyReport& r) {
  std::vector<Column> cols;
  for (auto& pub : published_figures()) {
    const StudyRun* run = r.paired_run(pub.profile);
    bool profile_ran = false;
    for (auto& x : r.runs) profile_ran = profile_ran || x.spec.profile == pub.profile;
    if (!profile_ran) continue;
    cols.push_back({profile_short(pub.profile) + ": study", &pub, nullptr});
    if (run) cols.push_back({profile_short(pub.profile) + ": mlfaas", nullptr, run});
  }
  for (auto& x : r.runs)
    if (!x.spec.paired && x.ran)
      cols.push_back({fmt::format("{} on {}: mlfaas", client_short(x.spec.client), profile_short(x.spec.profile)), nullptr, &x});
  return cols;
}

struct Row {
  std::string name;
  std::function<std::string(const PublishedFigures&)> study;  // empty: the study did not publish it
  std::function<std::string(const StudyRun&)> ours;
};

std::vector<Row> table_rows() {
  auto lat = [](const StudyRun& r, double p) { return r.latency.empty() ? std::string(kDash) : ms_text(r.latency.percentile(p)); };
  std::vector<Row> rows = {
      {"Requests per second", [](auto& p) { return fmt::format("{:.2f}", p.requests_per_s); },
       [](auto& r) { return fmt::format("{:.2f}", r.rps()); }},
      {"Average latency", [](auto& p) { return ms_text(p.mean_latency_s * 1e6); },
       [](auto& r) { return r.latency.empty() ? std::string(kDash) : ms_text(r.latency.mean()); }},
      {"Non-2xx responses", [](auto& p) { return std::to_string(p.non_2xx); },
       [](auto& r) { return std::to_string(r.failures_of(Cause::non_2xx)); }},
      {"Transfer rate (KB/s)", [](auto& p) { return fmt::format("{:.2f}", p.transfer_kb_per_s); },
       [](auto& r) { return fmt::format("{:.2f}", r.transfer_bytes_per_s() / 1024); }},
      {"Requests", [](auto& p) { return fmt::format("≈ {}", p.requests); }, [](auto& r) { return std::to_string(r.requests); }},
      {"Bytes per response", [](auto& p) { return fmt::format("≈ {:.0f} B (inferred)", p.transfer_kb_per_s * 1024 / p.requests_per_s); },
       [](auto& r) { return r.responses ? fmt::format("{:.0f} B", double(r.bytes) / double(r.responses)) : std::string(kDash); }},
      {"Goodput (2xx within the timeout, per s)", {}, [](auto& r) { return fmt::format("{:.2f}", r.goodput()); }},
      {"p50 latency", {}, [=](auto& r) { return lat(r, 50); }},
      {"p90 latency", {}, [=](auto& r) { return lat(r, 90); }},
      {"p99 latency", {}, [=](auto& r) { return lat(r, 99); }},
      {"p99.9 latency", {}, [=](auto& r) { return lat(r, 99.9); }},
      {"Max latency", {}, [](auto& r) { return r.latency.empty() ? std::string(kDash) : ms_text(r.latency.max()); }},
      {"Failed (all causes)", {}, [](auto& r) { return std::to_string(r.failed()); }},
      {"  timeouts (no answer in time)", {}, [](auto& r) { return std::to_string(r.failures_of(Cause::timeout)); }},
      {"  connect, write, read errors", {},
       [](auto& r) {
         return fmt::format("{}, {}, {}", r.failures_of(Cause::connect), r.failures_of(Cause::write), r.failures_of(Cause::read));
       }},
      {"  non-2xx", {}, [](auto& r) { return std::to_string(r.failures_of(Cause::non_2xx)); }},
      {"  while starting from zero", {}, [](auto& r) { return std::to_string(r.failures_while_cold()); }},
      {"Status codes", {}, [](auto& r) { return statuses_text(r.statuses); }},
      {"Refused by the gateway / the replicas", {},
       [](auto& r) {
         if (!r.server) return std::string(kDash);
         return fmt::format("{:.0f} / {:.0f}", r.server->gateway_rejected_total(), r.server->replica_rejected_total());
       }},
      {"First 2xx after (cold start, client)", {},
       [](auto& r) { return r.first_success_s < 0 ? std::string("none") : ms_text(r.first_success_s * 1e6); }},
      {"Cold starts (gateway: count, mean)", {},
       [](auto& r) {
         if (!r.cold_start || !r.cold_start->found) return std::string(kDash);
         if (r.cold_start->seconds_count == 0) return fmt::format("{:.0f}", r.cold_start->cold_starts);
         return fmt::format("{:.0f}, {}", r.cold_start->cold_starts, ms_text(r.cold_start->mean_seconds() * 1e6));
       }},
      {"Replicas at most (desired / ready)", {},
       [](auto& r) {
         auto d = r.max_replicas(), a = r.max_ready();
         if (!d && !a) return std::string(kDash);
         return fmt::format("{} / {}", d ? std::to_string(*d) : "?", a ? std::to_string(*a) : "?");
       }},
  };
  return rows;
}

std::string cell(const Row& row, const Column& c) {
  if (c.published) return row.study ? row.study(*c.published) : std::string(kDash);
  return row.ours(*c.run);
}

// A chart of one value per run over time.
LineChart time_chart(std::string title, std::string y_label) {
  LineChart c;
  c.title = std::move(title);
  c.x.label = "time since the start of the load (s)";
  c.y.label = std::move(y_label);
  return c;
}

std::string run_color(size_t i) { return kRunColors[i % std::size(kRunColors)]; }

std::string run_legend(const StudyRun& r) {
  return r.spec.paired ? profile_short(r.spec.profile) : fmt::format("{} on {}", client_short(r.spec.client), profile_short(r.spec.profile));
}

std::vector<NamedChart> published_charts(const StudyReport& r) {
  std::vector<std::string> cats;
  std::vector<const PublishedFigures*> pubs;
  std::vector<const StudyRun*> runs;
  for (auto& pub : published_figures())
    if (auto* run = r.paired_run(pub.profile)) {
      cats.push_back(profile_short(pub.profile));
      pubs.push_back(&pub);
      runs.push_back(run);
    }
  if (cats.empty()) return {};
  auto study = [&](auto get) {
    std::vector<double> v;
    for (auto* p : pubs) v.push_back(get(*p));
    return v;
  };
  auto ours = [&](auto get) {
    std::vector<double> v;
    for (auto* x : runs) v.push_back(get(*x));
    return v;
  };
  std::vector<NamedChart> out;
  BarChart rps{"Requests per second: the study (slide 18) and mlfaas", "requests/s", cats,
               {{"study", study([](auto& p) { return p.requests_per_s; }), kStudyColor},
                {"mlfaas", ours([](auto& x) { return x.rps(); }), "#1f77b4"}}};
  out.push_back({"study-rps.svg", "requests per second, the study and mlfaas", render_bar_chart(rps)});
  BarChart lat{"Latency: the study's average, ours and our p99", "ms", cats,
               {{"study: average", study([](auto& p) { return p.mean_latency_s * 1000; }), kStudyColor},
                {"mlfaas: average", ours([](auto& x) { return x.latency.mean() / 1000; }), "#1f77b4"},
                {"mlfaas: p99", ours([](auto& x) { return x.latency.percentile(99) / 1000; }), "#d62728"}}};
  lat.value_format = "{:.1f}";
  out.push_back({"study-latency.svg", "latency, the study and mlfaas", render_bar_chart(lat)});
  BarChart fail{"Failed requests: the study's non-2xx, ours by cause", "requests", cats,
                {{"study: non-2xx", study([](auto& p) { return double(p.non_2xx); }), kStudyColor},
                 {"mlfaas: non-2xx", ours([](auto& x) { return double(x.failures_of(Cause::non_2xx)); }), "#d62728"},
                 {"mlfaas: timeouts", ours([](auto& x) { return double(x.failures_of(Cause::timeout)); }), "#ff7f0e"},
                 {"mlfaas: connect/write/read", ours([](auto& x) {
                    return double(x.failures_of(Cause::connect) + x.failures_of(Cause::write) + x.failures_of(Cause::read));
                  }),
                  "#8c564b"}}};
  fail.value_format = "{:.0f}";
  out.push_back({"study-failures.svg", "failed requests, the study and mlfaas", render_bar_chart(fail)});
  BarChart transfer{"Transfer rate: the study and mlfaas", "KB/s", cats,
                    {{"study", study([](auto& p) { return p.transfer_kb_per_s; }), kStudyColor},
                     {"mlfaas", ours([](auto& x) { return x.transfer_bytes_per_s() / 1024; }), "#1f77b4"}}};
  out.push_back({"study-transfer.svg", "transfer rate, the study and mlfaas", render_bar_chart(transfer)});
  return out;
}

std::vector<NamedChart> timeline_charts(const StudyReport& r) {
  LineChart thr = time_chart("Throughput over time (requests completed per second)", "requests per second");
  LineChart p99 = time_chart("p99 latency over time (responses completed in each second)", "latency (ms)");
  // Ready replicas only: one legend entry per run fits the chart; each run's own report has desired too.
  LineChart rep = time_chart("Ready replicas over time (from the gateway)", "ready replicas");
  LineChart cdf;
  cdf.title = "Latency distribution (CDF) of all responses";
  cdf.x.label = "latency (ms)";
  cdf.y.label = "responses completed within (%)";
  cdf.y.min = 0;
  cdf.y.max = 100;
  bool any_replicas = false;
  int64_t most = 0;
  size_t i = 0;
  for (auto& run : r.runs) {
    if (!run.ran) continue;
    const std::string color = run_color(i++);
    const std::string name = run_legend(run);
    LineSeries t{name, {}, color}, l{name, {}, color};
    for (auto& row : run.timeline) {
      if (row.seconds < 0.5) continue;  // a sliver of a second at the end is noise
      t.points.emplace_back(row.t + row.seconds, row.rps);
      const bool any = row.p50_us > 0 || row.p99_us > 0;
      l.points.emplace_back(row.t + row.seconds, any ? row.p99_us / 1000 : kNaN);
    }
    thr.series.push_back(std::move(t));
    p99.series.push_back(std::move(l));
    LineSeries ready{name, {}, color};
    for (auto& s : run.gateway) {
      if (!s.ok) continue;
      ready.points.emplace_back(s.t, s.available_replicas ? double(*s.available_replicas) : kNaN);
      any_replicas = any_replicas || s.available_replicas;
      most = std::max(most, s.available_replicas.value_or(0));
    }
    if (!ready.points.empty()) rep.series.push_back(std::move(ready));
    LineChart one = latency_cdf_chart(run.latency, "");
    if (!one.series.empty() && !one.series[0].points.empty()) {
      LineSeries s = one.series[0];
      s.name = name;
      s.color = color;
      cdf.series.push_back(std::move(s));
      cdf.x.log = cdf.x.log || one.x.log;
    }
  }
  std::vector<NamedChart> out;
  if (thr.series.empty()) return out;
  out.push_back({"throughput.svg", "throughput over time, every run", render_line_chart(thr)});
  out.push_back({"latency-p99.svg", "p99 latency over time, every run", render_line_chart(p99)});
  if (any_replicas) {
    rep.y.max = double(most + 1);
    out.push_back({"replicas.svg", "replicas over time, every run", render_line_chart(rep)});
  }
  if (!cdf.series.empty()) out.push_back({"latency-cdf.svg", "latency distribution, every run", render_line_chart(cdf)});
  return out;
}

std::string chart_ref(const std::vector<NamedChart>& charts, const std::string& file) {
  for (auto& c : charts)
    if (c.file == file) return fmt::format("![{}]({})\n\n", c.alt, c.file);
  return "";
}

std::string load_text(const StudyLoad& l) {
  if (l.rate > 0)
    return fmt::format("open loop (like wrk2): {} requests at {:g} requests/s ({:g} s), constant arrivals, at most {} "
                       "requests in flight on {} threads, {} client timeout",
                       l.requests, l.rate, l.seconds(), l.connections, l.threads, l.timeout);
  return fmt::format("closed loop (like wrk): {} connections on {} threads until {} requests, {} client timeout", l.connections,
                     l.threads, l.requests, l.timeout);
}

std::string runs_table(const StudyReport& r) {
  std::string md =
      "| run | client | platform | requests/s | goodput/s | mean | p50 | p99 | failed | first 2xx after | replicas at most | "
      "other work: before / during | ours during | details |\n"
      "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n";
  for (auto& x : r.runs) {
    std::string details;
    if (!x.report_dir.empty()) details += fmt::format("[report]({}/report.md)", x.report_dir);
    if (!x.json_file.empty()) details += fmt::format("{}[JSON]({})", details.empty() ? "" : ", ", x.json_file);
    if (x.local && x.ran)
      details += fmt::format("{}logs: [platform](logs/{}.log), [function](logs/{}-function.log)", details.empty() ? "" : ", ",
                             x.spec.id(), x.spec.id());
    if (!x.ran) {
      md += fmt::format("| {} | {} | {} | did not run: {} | | | | | | | | | | |\n", x.spec.id(), client_short(x.spec.client),
                        x.local ? profile_title(x.spec.profile) : x.url, x.error);
      continue;
    }
    auto d = x.max_replicas();
    md += fmt::format("| {} | {} | {} | {:.2f} | {:.2f} | {} | {} | {} | {} | {} | {} | {} / {} | {} | {} |\n", x.spec.id(),
                      client_short(x.spec.client), x.local ? profile_title(x.spec.profile) : "`" + x.url + "`", x.rps(),
                      x.goodput(), ms_text(x.latency.mean()), ms_text(x.latency.percentile(50)),
                      ms_text(x.latency.percentile(99)), x.failed(),
                      x.first_success_s < 0 ? std::string("none") : ms_text(x.first_success_s * 1e6),
                      d ? std::to_string(*d) : std::string(kDash), percent(x.background_cpu), percent(x.other_cpu),
                      x.own_cpu_cores < 0 ? std::string(kDash) : fmt::format("{:.2f} cores", x.own_cpu_cores), details);
  }
  return md;
}

std::string reasons_text(const std::map<std::string, double>& reasons) {
  std::string out;
  for (auto& [k, v] : reasons) {
    if (v <= 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {:.0f}", k.empty() ? "unknown" : k, v);
  }
  return out.empty() ? "" : " (" + out + ")";
}

// " Server side: ..." for a run whose servers' counters were read; "" otherwise.
std::string server_side_text(const StudyRun& x) {
  if (!x.server) return "";
  const ServerSideCounts& s = *x.server;
  return fmt::format(" Server side: the gateway refused {:.0f} without a replica{} and counted {:.0f} whose client had "
                     "left; the {} replica{} alive at the end refused {:.0f}{} and dropped {:.0f} whose client had left.",
                     s.gateway_rejected_total(), reasons_text(s.gateway_rejected), s.gateway_abandoned, s.replicas_scraped,
                     s.replicas_scraped == 1 ? "" : "s", s.replica_rejected_total(), reasons_text(s.replica_rejected),
                     s.replica_abandoned);
}

std::string failures_section(const StudyReport& r) {
  std::string md =
      "| run | failed | connect | write | read | timeout | non-2xx | status codes | while starting from zero | after |\n"
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |\n";
  for (auto& x : r.runs) {
    if (!x.ran) continue;
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", x.spec.id(), x.failed(),
                      x.failures_of(Cause::connect), x.failures_of(Cause::write), x.failures_of(Cause::read),
                      x.failures_of(Cause::timeout), x.failures_of(Cause::non_2xx), statuses_text(x.statuses),
                      x.failures_while_cold(), x.failed() - x.failures_while_cold());
  }
  md += "\nA request **fails** when it gets no complete answer within the client timeout (`timeout`), cannot connect, "
        "send or read (`connect`, `write`, `read`), or is answered outside 200–299 (`non-2xx`; wrk's \"Non-2xx or 3xx "
        "responses\", the study's only failure figure, counts only these). **While starting from zero** counts, for a "
        "run that began at zero replicas, the failures of requests sent before the first 2xx (from the per-second "
        "timeline: timeouts that completed before the first 2xx plus the client timeout, other failures before the "
        "first 2xx): requests that met no ready replica.\n\n";
  for (auto& x : r.runs) {
    if (!x.ran || x.failed() == 0) continue;
    std::vector<std::string> why;
    if (x.failures_of(Cause::timeout))
      why.push_back(fmt::format("{} timed out (no answer within {:g} s{})", x.failures_of(Cause::timeout), x.timeout_s,
                                x.timed_out.empty() ? "" : fmt::format(", given up after {} on average", ms_text(x.timed_out.mean()))));
    if (x.failures_of(Cause::non_2xx)) why.push_back(fmt::format("statuses {}", statuses_text(x.statuses)));
    const uint64_t net = x.failures_of(Cause::connect) + x.failures_of(Cause::write) + x.failures_of(Cause::read);
    if (net) why.push_back(fmt::format("{} connection errors", net));
    std::string list;
    for (auto& w : why) {
      if (!list.empty()) list += "; ";
      list += w;
    }
    md += fmt::format("- **{}**: {}. {} of the {} failures came while the function was starting from zero.{}\n", x.spec.id(),
                      list, x.failures_while_cold(), x.failed(), server_side_text(x));
  }
  return md;
}

std::string profiles_section(const StudyReport& r) {
  std::string md = "| profile | spec | what it runs | the gateway's autoscaler |\n| --- | --- | --- | --- |\n";
  for (auto& p : study_profiles()) {
    const StudyRun* any = nullptr;
    for (auto& x : r.runs)
      if (x.spec.profile == p.name && (!any || (!any->local && x.local))) any = &x;
    if (!any) continue;
    if (!any->local) {
      md += fmt::format("| {} | (external) | `{}` | {} |\n", profile_short(p.name), any->url, kDash);
      continue;
    }
    md += fmt::format("| {} | [{}](profiles/{}) | {} | {} |\n", p.title, p.spec_file, p.spec_file, p.settings,
                      any->autoscaler.empty() ? std::string(kDash) : "`" + any->autoscaler + "`");
  }
  md += "\n| client | sends | as in the study |\n| --- | --- | --- |\n";
  for (auto& c : study_clients())
    md += fmt::format("| `{}` | {} | {} |\n", c.preset, c.title,
                      c.name == "knative" ? "`knative/upload.lua`: wrk -t50 -c1000 -d180s with a Host header, ≈ 6000 requests counted"
                                          : "`openfaas/scripts/post.lua`; its wrk command line is not in the repository");
  return md;
}

std::string machine_section(const StudyReport& r) {
  const MachineInfo& m = r.machine;
  std::string md = "| | the study | this run |\n| --- | --- | --- |\n";
  md += fmt::format("| nodes | 3 (CloudLab: 1 control plane + 2 workers; kubeadm, CRI-O) | 1 (this machine: load generator, "
                    "gateway and every replica) |\n");
  md += fmt::format("| CPU | not published | {}{} |\n", m.cpu_model, m.flags_note.empty() ? "" : " (" + m.flags_note + ")");
  md += fmt::format("| cores | not published | {} logical, {} usable by this process |\n", m.logical_cpus, m.usable_cpus);
  md += fmt::format("| memory | not published | {} |\n", m.memory_bytes ? gib(m.memory_bytes) : std::string("unknown"));
  md += fmt::format("| OS | not published | {} |\n", m.kernel.empty() ? std::string("unknown") : m.kernel);
  md += "| the function | Python 3.9, Flask's development server (`debug=True`), TensorFlow Keras MobileNetV2, one "
        "`model.predict` per request (Knative variant: top-1 plus a synchronous event POST) | `mlfaas serve`: C++20, "
        "MobileNetV2 on oneDNN, one worker per core, deadlines and load shedding |\n";
  md += "| the path to it | Knative: MetalLB → Istio ingress → activator / queue-proxy; OpenFaaS: NodePort → gateway → "
        "of-watchdog → waitress | one `mlfaas up` gateway → the replica, on loopback |\n";
  md += fmt::format("| the client | wrk, closed loop, 1000 connections, 50 threads; where it ran is not said | `mlfaas bench`, "
                    "{} |\n",
                    load_text(r.load));
  std::string during;
  for (auto& x : r.runs)
    if (x.ran && x.other_cpu >= 0) during += fmt::format("{}{} {}", during.empty() ? "" : ", ", x.spec.id(), percent(x.other_cpu));
  md += fmt::format("\nMachine state: load average {} before the first run, {} of the CPU busy (other work) in the "
                    "second before it{}.{}\n",
                    r.load_average_before < 0 ? std::string("unknown") : fmt::format("{:.2f}", r.load_average_before),
                    percent(r.background_cpu_before),
                    during.empty() ? "" : "; other work during each load: " + during,
                    r.machine_busy() ? " **The machine was busy with other work: the numbers are lower than an idle "
                                       "machine would give.**"
                                     : "");
  return md;
}

std::string differences_section(const StudyReport& r) {
  const MachineInfo& m = r.machine;
  std::string md;
  md += fmt::format(
      "- **Hardware.** The study ran on a 3-node cluster whose CPUs it never names; this run had one machine with {} "
      "cores ({}) for everything: the load generator, the gateway and every replica share them, so every replica "
      "beyond the cores competes for the same CPU. Absolute numbers therefore say little across the two setups; "
      "what carries over is the shape: where failures come from, how the autoscalers react, what a cold start costs.\n",
      m.usable_cpus, m.cpu_model);
  md += "- **Software.** The study served MobileNetV2 from Python/TensorFlow (Keras weights) on Flask's development "
        "server, one `model.predict` per request; mlfaas serves the same network (MobileNetV2 1.0/224 on ImageNet, "
        "Google's TF-slim weights as float32 ONNX) from C++ on oneDNN: 8–9 ms per image on one core of the "
        "development machine, 5–7 ms on two (docs/benchmarks.md). Per request, inference here is far cheaper than in "
        "the study; what costs most is decoding the Knative client's PNG and moving its 1.6 MB through the gateway "
        "(compare the CPU the runs used, under Every run).\n";
  md += "- **Load.** The study's wrk was a closed loop with 1000 connections: each connection waits for its answer, so "
        "the offered load adapts to the server and a stalled request delays the next ones silently (coordinated "
        "omission). wrk gives up on a request after 2 s, counts it under \"Socket errors: timeout\" and leaves it out of "
        "the latency; the study published neither its timeouts nor its socket errors, so its \"62\" and \"525\" count "
        "non-2xx answers only. Here the same number of requests is sent open loop at the rate the study measured "
        "(latency counted from the intended send time), every request ends as an answer or a failure by cause, and "
        "timeouts are counted.\n";
  md += "- **Payloads.** As in the study, the two platforms get different clients: a 1.6 MB PNG as multipart on "
        "Knative, a 2.7 KB JPEG as a raw body on OpenFaaS, so the study's two columns compare loads as much as "
        "platforms: decoding the 800×800 PNG costs about 10 ms per request (docs/benchmarks.md), more than an "
        "inference, while the 174×148 JPEG decodes in a fraction of a millisecond.";
  bool cross = false;
  for (auto& x : r.runs) cross = cross || (!x.spec.paired && x.ran);
  md += cross ? " The cross runs (each client on the other platform) separate the two.\n"
              : " `mlfaas study --cross` also runs each client on the other platform, which separates the two.\n";
  md += "- **Transfer rate.** The study's KB/s is response bytes per second: about 250 B per answer on Knative (top-1) "
        "and 500 B on OpenFaaS (top-5). mlfaas answers with the top-5, the model and timings in every response, so its "
        "KB/s is higher at the same request rate; it measures the response format, not the platform.\n";
  md += "- **Cold start.** The study's Knative revision was at zero replicas in its screenshot, but its slides give no "
        "cold-start figure. Here the Knative profile is scaled to zero through the gateway's API before its load "
        "(what an idle revision reaches after Knative's stable window and grace period), so its first request is a "
        "cold start: process start, model load, the first inference. On Kubernetes the same step also schedules a "
        "pod and starts a container (1–2 s at best with a pulled image, 8–18 s seen in practice: "
        "../shared/docs/platforms-reference.md, section G), and the study's image downloaded its weights at start.\n";
  md += "- **Not reproduced.** The study's Knative function posted an event to a broker synchronously on every request "
        "(a broken path, see the study notes); the profiles here run no eventing. The platforms' own components "
        "(Istio, the activator, NATS, Prometheus) are not on this machine.\n";
  return md;
}

json::object run_json(const StudyRun& x) {
  json::object o;
  o["id"] = x.spec.id();
  o["profile"] = x.spec.profile;
  o["client"] = x.spec.client;
  o["paired"] = x.spec.paired;
  o["local"] = x.local;
  o["url"] = x.url;
  json::array headers;
  for (auto& h : x.headers) headers.push_back(json::string(h));
  o["headers"] = std::move(headers);
  o["bench_command"] = x.bench_command;
  o["ran"] = x.ran;
  if (!x.error.empty()) o["error"] = x.error;
  if (!x.ran) return o;
  o["started_at"] = x.started_at;
  o["elapsed_s"] = x.elapsed_s;
  o["requests"] = x.requests;
  o["responses"] = x.responses;
  o["succeeded"] = x.succeeded;
  o["requests_per_s"] = x.rps();
  o["goodput_per_s"] = x.goodput();
  o["transfer_bytes_per_s"] = x.transfer_bytes_per_s();
  o["latency_ms"] = latency_json(x.latency);
  json::object status;
  for (auto& [code, n] : x.statuses) status[std::to_string(code)] = n;
  o["status"] = std::move(status);
  json::object f;
  for (Cause c : kAllCauses) f[cause_name(c)] = x.failures_of(c);
  f["total"] = x.failed();
  f["while_cold"] = x.failures_while_cold();
  f["after_cold"] = x.failed() - x.failures_while_cold();
  o["failures"] = std::move(f);
  o["first_success_s"] = x.first_success_s >= 0 ? json::value(x.first_success_s) : json::value(nullptr);
  o["first_success_latency_ms"] = x.first_success_s >= 0 ? json::value(x.first_success_latency_ms) : json::value(nullptr);
  if (x.cold_start && x.cold_start->found)
    o["cold_start"] = json::object{{"count", x.cold_start->cold_starts},
                                   {"measured", x.cold_start->seconds_count},
                                   {"mean_s", x.cold_start->mean_seconds()}};
  else
    o["cold_start"] = nullptr;
  if (x.server) {
    // Counters are whole numbers.
    auto count = [](double v) { return int64_t(std::llround(v)); };
    json::object g, rr;
    for (auto& [k, v] : x.server->gateway_rejected) g[k] = count(v);
    for (auto& [k, v] : x.server->replica_rejected) rr[k] = count(v);
    o["server_side"] = json::object{{"gateway_rejected", std::move(g)},
                                    {"gateway_abandoned", count(x.server->gateway_abandoned)},
                                    {"replica_rejected", std::move(rr)},
                                    {"replica_abandoned", count(x.server->replica_abandoned)},
                                    {"replicas_scraped", x.server->replicas_scraped}};
  } else {
    o["server_side"] = nullptr;
  }
  auto d = x.max_replicas(), a = x.max_ready();
  o["max_replicas"] = d ? json::value(*d) : json::value(nullptr);
  o["max_ready_replicas"] = a ? json::value(*a) : json::value(nullptr);
  o["restarts"] = x.restarts ? json::value(*x.restarts) : json::value(nullptr);
  o["autoscaler"] = x.autoscaler;
  o["prepared"] = x.prepared;
  o["from_zero"] = x.from_zero;
  o["background_cpu"] = x.background_cpu >= 0 ? json::value(x.background_cpu) : json::value(nullptr);
  o["other_cpu"] = x.other_cpu >= 0 ? json::value(x.other_cpu) : json::value(nullptr);
  o["own_cpu_cores"] = x.own_cpu_cores >= 0 ? json::value(x.own_cpu_cores) : json::value(nullptr);
  o["interrupted"] = x.interrupted;
  o["json_file"] = x.json_file;
  o["report_dir"] = x.report_dir;
  return o;
}

}  // namespace

uint64_t StudyRun::failed() const {
  uint64_t n = 0;
  for (auto v : failures) n += v;
  return n;
}

uint64_t StudyRun::failures_while_cold() const {
  if (!from_zero) return 0;
  if (first_success_s < 0) return failed();
  const double timeouts_until = std::ceil(first_success_s + timeout_s), others_until = std::ceil(first_success_s);
  uint64_t n = 0;
  for (auto& row : timeline) {
    for (Cause c : kAllCauses)
      if (row.t < (c == Cause::timeout ? timeouts_until : others_until)) n += row.failures[size_t(c)];
  }
  return std::min(n, failed());
}

std::optional<int64_t> StudyRun::max_replicas() const {
  std::optional<int64_t> most;
  for (auto& s : gateway)
    if (s.ok && s.replicas) most = std::max(most.value_or(0), *s.replicas);
  return most;
}

std::optional<int64_t> StudyRun::max_ready() const {
  std::optional<int64_t> most;
  for (auto& s : gateway)
    if (s.ok && s.available_replicas) most = std::max(most.value_or(0), *s.available_replicas);
  return most;
}

std::string StudyRun::title() const {
  if (spec.paired) return fmt::format("{} on {} (the study's pairing)", client_short(spec.client), profile_short(spec.profile));
  return fmt::format("{} on {} (cross)", client_short(spec.client), profile_short(spec.profile));
}

void fill_study_run(StudyRun& run, const BenchPlan& plan, const RunResult& result) {
  const Tally& t = result.data.total;
  run.ran = true;
  run.started_at = result.started_at;
  run.elapsed_s = result.elapsed_s;
  run.timeout_s = double(plan.timeout.count()) / 1000;
  run.requests = t.completed;
  run.responses = t.responses;
  run.succeeded = t.succeeded();
  run.bytes = t.bytes;
  run.failures = t.failures;
  run.statuses = t.statuses;
  run.latency = t.latency;
  run.timed_out = t.timed_out;
  run.first_success_s = result.data.first_success_s;
  run.first_success_latency_ms = result.data.first_success_latency_us / 1000;
  run.send_lag_p99_ms = result.data.send_lag.percentile(99) / 1000;
  run.send_lag_max_ms = result.data.send_lag.max() / 1000;
  run.timeline = timeline_rows(result);
  run.gateway = result.gateway;
  run.interrupted = result.interrupted;
}

const StudyRun* StudyReport::paired_run(std::string_view profile) const {
  for (auto& x : runs)
    if (x.spec.paired && x.spec.profile == profile && x.ran) return &x;
  return nullptr;
}

bool StudyReport::machine_busy() const {
  if (background_cpu_before > 0.25) return true;
  for (auto& x : runs)
    if (x.background_cpu > 0.25 || x.other_cpu > 0.25) return true;
  return false;
}

std::string published_table_markdown(const StudyReport& r) {
  auto cols = table_columns(r);
  std::string md = "| metric |";
  for (auto& c : cols) md += fmt::format(" {} |", c.header);
  md += "\n| --- |";
  for (size_t i = 0; i < cols.size(); ++i) md += " ---: |";
  md += "\n";
  for (auto& row : table_rows()) {
    std::string name = row.name;
    if (name.starts_with("  ")) name = "&nbsp;&nbsp;" + name.substr(2);
    md += fmt::format("| {} |", name);
    for (auto& c : cols) md += fmt::format(" {} |", cell(row, c));
    md += "\n";
  }
  return md;
}

std::string study_text(const StudyReport& r) {
  auto cols = table_columns(r);
  auto rows = table_rows();
  // Display width: the table holds a few multi-byte characters (—, ≈, ×).
  auto width = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
    return n;
  };
  auto pad_left = [&](const std::string& s, size_t w) { return std::string(w > width(s) ? w - width(s) : 0, ' ') + s; };
  size_t name_w = 0;
  for (auto& row : rows) name_w = std::max(name_w, row.name.size());
  std::vector<size_t> col_w;
  for (auto& c : cols) {
    size_t w = width(c.header);
    for (auto& row : rows) w = std::max(w, width(cell(row, c)));
    col_w.push_back(w);
  }
  std::string out = fmt::format("{:<{}}", "", name_w);
  for (size_t i = 0; i < cols.size(); ++i) out += "  " + pad_left(cols[i].header, col_w[i]);
  out += "\n";
  for (auto& row : rows) {
    out += fmt::format("{:<{}}", row.name, name_w);
    for (size_t i = 0; i < cols.size(); ++i) out += "  " + pad_left(cell(row, cols[i]), col_w[i]);
    out += "\n";
  }
  for (auto& x : r.runs)
    if (!x.ran) out += fmt::format("{} did not run: {}\n", x.spec.id(), x.error);
  for (auto& n : r.notes) out += "note: " + n + "\n";
  return out;
}

std::vector<NamedChart> study_charts(const StudyReport& r) {
  auto out = published_charts(r);
  for (auto& c : timeline_charts(r)) out.push_back(std::move(c));
  return out;
}

std::string study_markdown(const StudyReport& r, const std::vector<NamedChart>& charts) {
  std::string md = "# The study, reproduced: Knative vs OpenFaaS CE serving MobileNetV2\n\n";
  md += "The original study (`../shared/docs/seed-study.md`) served an ImageNet MobileNetV2 classifier on Knative and on "
        "OpenFaaS CE, loaded each with its own client and published four numbers per platform (slide 18). This report "
        "runs the same two scenarios — its clients, its payloads, its request count, at the rate it measured — against "
        "the two platform profiles of `mlfaas up`, and puts its figures next to ours.\n\n";
  md += fmt::format("Produced by:\n\n```\n{}\n```\n\n", r.command);
  md += fmt::format("mlfaas {}; started {}, finished {}{}.", r.version, r.started_at, r.finished_at,
                    r.short_mode ? "; **short mode** (CI): fewer requests at a lower rate, not the study's load" : "");
  if (!r.model.empty()) md += fmt::format(" Model: `{}`.", r.model);
  md += fmt::format(" Load of every run: {}.\n\n", load_text(r.load));
  for (auto& n : r.notes) md += fmt::format("- **Note:** {}\n", n);
  if (!r.notes.empty()) md += "\n";

  md += "## The study's figures next to ours\n\n";
  md += "The first rows are the study's table (slide 18: requests/s, average latency, non-2xx responses, transfer "
        "rate). The rows below them are what it did not publish. **study** columns are its published figures; **mlfaas** "
        "columns are this run.\n\n";
  md += published_table_markdown(r) + "\n";
  for (const char* f : {"study-rps.svg", "study-latency.svg", "study-failures.svg", "study-transfer.svg"}) md += chart_ref(charts, f);

  md += "## Every run\n\n" + runs_table(r) + "\n";
  md += "**First 2xx after**: time from the start of the load to the first successful answer (from zero replicas, the "
        "cold start as the client saw it). **Other work**: the share of the machine's CPU busy with work that was not "
        "this study's, in the second before the load (the profile idle) and during it (all busy time in /proc/stat "
        "minus the CPU time of the load generator, the platform and its replicas). **Ours during**: what those used, "
        "in cores.\n\n";

  md += "## Over time\n\n";
  for (const char* f : {"throughput.svg", "latency-p99.svg", "replicas.svg", "latency-cdf.svg"}) md += chart_ref(charts, f);

  md += "## Failures by cause\n\n" + failures_section(r) + "\n";

  md += "## Cold starts\n\n";
  bool any_cold = false;
  for (auto& x : r.runs) {
    if (!x.ran) continue;
    std::string gw;
    if (x.cold_start && x.cold_start->found && x.cold_start->seconds_count > 0)
      gw = fmt::format("; the gateway counted {:.0f} cold start{} (a request at zero replicas until a replica was "
                       "ready), {} on average",
                       x.cold_start->cold_starts, x.cold_start->cold_starts == 1 ? "" : "s",
                       ms_text(x.cold_start->mean_seconds() * 1e6));
    else if (x.cold_start && x.cold_start->found)
      gw = "; the gateway counted no cold start (a replica was ready when the load began)";
    if (x.from_zero && x.cold_start && x.cold_start->seconds_count > 0)
      gw += ". The gateway's time ends when the replica passed its readiness probe: with the study's settings "
            "(Knative's default TCP probe) that is when the port opens, before the model's warm-up, so the first "
            "answer comes later";
    md += fmt::format("- **{}**: {}. First 2xx after {}{}{}.\n", x.spec.id(), x.prepared.empty() ? "not prepared" : x.prepared,
                      x.first_success_s < 0 ? std::string("none") : ms_text(x.first_success_s * 1e6),
                      x.first_success_s < 0 ? "" : fmt::format(" (its latency {})", ms_text(x.first_success_latency_ms * 1000)),
                      gw);
    any_cold = true;
  }
  if (any_cold) md += "\n";

  md += "## What ran\n\n" + profiles_section(r) + "\n";
  md += "Each run started its own `mlfaas up --ephemeral` with the profile's spec (so every run begins from the same "
        "state), waited for the function's first replica, then prepared it as listed under Cold starts. The same run "
        "as a `mlfaas bench` command (against that platform):\n\n```\n";
  for (auto& x : r.runs) md += fmt::format("# {}\n{}\n", x.spec.id(), x.bench_command);
  md += "```\n\n";

  md += "## This machine and the study's cluster\n\n" + machine_section(r) + "\n";
  md += "## How this differs from the study, honestly\n\n" + differences_section(r) + "\n";
  md += "## Reproduce\n\n```\nscripts/build.sh release mlfaas\n"
        "build/src/cli/mlfaas study --out DIR            # both profiles, the study's load (about 3 minutes)\n"
        "build/src/cli/mlfaas study --cross --out DIR    # also each client on the other platform\n"
        "build/src/cli/mlfaas study --short --out DIR    # CI: 100 requests at 10/s per run\n"
        "build/src/cli/mlfaas study --url knative=http://INGRESS --header 'knative=Host: ml-image-classifier.demo.example.com' \\\n"
        "    --url openfaas=http://GATEWAY:8080/function/image-classifier-new --out DIR   # a real cluster\n```\n";
  return md;
}

json::object study_json(const StudyReport& r) {
  json::object o;
  o["format"] = "mlfaas-study";
  o["format_version"] = 1;
  o["mlfaas_version"] = r.version;
  o["command"] = r.command;
  o["started_at"] = r.started_at;
  o["finished_at"] = r.finished_at;
  o["short"] = r.short_mode;
  o["load"] = json::object{{"rate", r.load.rate},
                           {"requests", r.load.requests},
                           {"connections", r.load.connections},
                           {"threads", r.load.threads},
                           {"timeout", r.load.timeout}};
  o["machine"] = json::object{{"cpu_model", r.machine.cpu_model},
                              {"logical_cpus", r.machine.logical_cpus},
                              {"usable_cpus", r.machine.usable_cpus},
                              {"memory_bytes", r.machine.memory_bytes},
                              {"kernel", r.machine.kernel},
                              {"cpu_features", r.machine.flags_note}};
  o["load_average_before"] = r.load_average_before;
  o["background_cpu_before"] = r.background_cpu_before;
  o["machine_busy"] = r.machine_busy();
  o["model"] = r.model;
  json::array pubs;
  for (auto& p : published_figures())
    pubs.push_back(json::object{{"profile", p.profile},
                                {"requests_per_s", p.requests_per_s},
                                {"mean_latency_s", p.mean_latency_s},
                                {"non_2xx", p.non_2xx},
                                {"transfer_kb_per_s", p.transfer_kb_per_s},
                                {"requests", p.requests}});
  o["published"] = std::move(pubs);
  json::array runs;
  for (auto& x : r.runs) runs.push_back(run_json(x));
  o["runs"] = std::move(runs);
  json::array notes;
  for (auto& n : r.notes) notes.push_back(json::string(n));
  o["notes"] = std::move(notes);
  return o;
}

std::vector<std::filesystem::path> write_study_report(const std::filesystem::path& dir, const StudyReport& r) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  std::vector<std::filesystem::path> written;
  auto charts = study_charts(r);
  for (auto& c : charts) {
    write_text_file(dir / c.file, c.svg);
    written.push_back(dir / c.file);
  }
  write_report_documents(dir, study_markdown(r, charts), written);
  write_text_file(dir / "study.json", json::serialize(study_json(r)) + "\n");
  written.push_back(dir / "study.json");
  return written;
}

}  // namespace mlfaas::bench
