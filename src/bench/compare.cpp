#include "bench/compare.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <functional>
#include <stdexcept>

#include "bench/report.h"
#include "bench/svg_chart.h"
#include "bench/units.h"

namespace mlfaas::bench {
namespace json = boost::json;
namespace {

const json::value& at(const json::object& o, std::string_view key, const std::string& source) {
  auto* v = o.if_contains(key);
  if (!v) throw std::invalid_argument(fmt::format("{}: not an mlfaas bench JSON file (no \"{}\")", source, key));
  return *v;
}

double number(const json::value& v) {
  if (v.is_double()) return v.as_double();
  if (v.is_int64()) return double(v.as_int64());
  if (v.is_uint64()) return double(v.as_uint64());
  return 0;
}

double number_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v ? number(*v) : 0;
}

std::string string_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// One row of the table: a metric and how to print each run's value.
struct Metric {
  const char* name;
  std::function<std::string(const CompareEntry&)> value;
};

std::vector<Metric> metrics() {
  auto ms = [](double v) { return fmt::format("{:.2f} ms", v); };
  std::vector<Metric> m = {
      {"Requests per second", [](auto& e) { return fmt::format("{:.2f}", e.rps); }},
      {"Average latency", [=](auto& e) { return ms(e.mean_ms); }},
      {"Non-2xx responses", [](auto& e) { return std::to_string(e.failures[size_t(Cause::non_2xx)]); }},
      {"Transfer rate (KB/s)", [](auto& e) { return fmt::format("{:.2f}", e.transfer_bytes_per_s / 1024); }},
      {"p50 latency", [=](auto& e) { return ms(e.p50_ms); }},
      {"p90 latency", [=](auto& e) { return ms(e.p90_ms); }},
      {"p99 latency", [=](auto& e) { return ms(e.p99_ms); }},
      {"Max latency", [=](auto& e) { return ms(e.max_ms); }},
      {"Requests", [](auto& e) { return std::to_string(e.requests); }},
      {"Failed (all causes)", [](auto& e) { return std::to_string(e.failed); }},
  };
  for (Cause c : kAllCauses) {
    if (c == Cause::non_2xx) continue;
    m.push_back({c == Cause::connect ? "  connect errors"
                 : c == Cause::write ? "  write errors"
                 : c == Cause::read  ? "  read errors"
                                     : "  timeouts",
                 [c](auto& e) { return std::to_string(e.failures[size_t(c)]); }});
  }
  m.push_back({"Load", [](auto& e) { return fmt::format("{}, {} conn, {:.0f} s", e.mode, e.connections, e.duration_s); }});
  return m;
}

}  // namespace

CompareEntry compare_entry_from_json(const json::value& doc, const std::string& source) {
  if (!doc.is_object()) throw std::invalid_argument(fmt::format("{}: not a JSON object", source));
  const auto& o = doc.as_object();
  if (string_at(o, "format") != "mlfaas-bench")
    throw std::invalid_argument(fmt::format("{}: not an mlfaas bench JSON file (written by mlfaas bench --json)", source));
  const auto& settings = at(o, "settings", source).as_object();
  const auto& summary = at(o, "summary", source).as_object();
  CompareEntry e;
  e.source = source;
  e.label = string_at(settings, "label");
  if (e.label.empty()) e.label = std::filesystem::path(source).stem().string();
  e.url = string_at(settings, "url");
  e.mode = string_at(settings, "mode");
  e.connections = int(number_at(settings, "connections"));
  e.started_at = string_at(o, "started_at");
  e.duration_s = number_at(summary, "elapsed_s");
  e.requests = uint64_t(number_at(summary, "requests"));
  e.rps = number_at(summary, "requests_per_s");
  e.transfer_bytes_per_s = number_at(summary, "transfer_bytes_per_s");
  const auto& lat = at(summary, "latency_ms", source).as_object();
  e.mean_ms = number_at(lat, "mean");
  e.p50_ms = number_at(lat, "p50");
  e.p90_ms = number_at(lat, "p90");
  e.p99_ms = number_at(lat, "p99");
  e.max_ms = number_at(lat, "max");
  const auto& f = at(summary, "failures", source).as_object();
  for (Cause c : kAllCauses) e.failures[size_t(c)] = uint64_t(number_at(f, cause_name(c)));
  e.failed = uint64_t(number_at(f, "total"));
  return e;
}

std::string compare_text(const std::vector<CompareEntry>& entries) {
  auto rows = metrics();
  size_t name_w = 0;
  for (auto& m : rows) name_w = std::max(name_w, std::string_view(m.name).size());
  std::vector<size_t> col_w;
  for (auto& e : entries) {
    size_t w = e.label.size();
    for (auto& m : rows) w = std::max(w, m.value(e).size());
    col_w.push_back(w);
  }
  std::string out = fmt::format("{:<{}}", "", name_w);
  for (size_t i = 0; i < entries.size(); ++i) out += fmt::format("  {:>{}}", entries[i].label, col_w[i]);
  out += "\n";
  for (auto& m : rows) {
    out += fmt::format("{:<{}}", m.name, name_w);
    for (size_t i = 0; i < entries.size(); ++i) out += fmt::format("  {:>{}}", m.value(entries[i]), col_w[i]);
    out += "\n";
  }
  return out;
}

std::string compare_markdown(const std::vector<CompareEntry>& entries, std::string_view command_line,
                             const std::vector<std::string>& chart_files) {
  std::string md = "# mlfaas bench compare\n\n";
  md += fmt::format("Produced by:\n\n```\n{}\n```\n\n", command_line);
  md += "| metric |";
  for (auto& e : entries) md += fmt::format(" {} |", e.label);
  md += "\n| --- |";
  for (size_t i = 0; i < entries.size(); ++i) md += " ---: |";
  md += "\n";
  for (auto& m : metrics()) {
    std::string name = m.name;
    if (name.starts_with("  ")) name = "&nbsp;&nbsp;" + name.substr(2);
    md += fmt::format("| {} |", name);
    for (auto& e : entries) md += fmt::format(" {} |", m.value(e));
    md += "\n";
  }
  md += "\nRuns:\n\n";
  for (auto& e : entries) md += fmt::format("- **{}**: `{}`, started {}, from `{}`\n", e.label, e.url, e.started_at, e.source);
  md += "\n";
  for (auto& f : chart_files) md += fmt::format("![{}]({})\n\n", f, f);
  return md;
}

std::vector<CompareChart> compare_charts(const std::vector<CompareEntry>& entries) {
  std::vector<std::string> labels;
  for (auto& e : entries) labels.push_back(e.label);
  auto values = [&](auto get) {
    std::vector<double> v;
    for (auto& e : entries) v.push_back(get(e));
    return v;
  };
  std::vector<CompareChart> out;
  BarChart rps{"Requests per second", "requests/s", labels, {{"requests/s", values([](auto& e) { return e.rps; }), "#1f77b4"}}};
  out.push_back({"compare-rps.svg", "requests per second", render_bar_chart(rps)});
  BarChart lat{"Latency", "ms", labels,
               {{"average", values([](auto& e) { return e.mean_ms; }), "#9467bd"},
                {"p50", values([](auto& e) { return e.p50_ms; }), "#1f77b4"},
                {"p99", values([](auto& e) { return e.p99_ms; }), "#d62728"}}};
  out.push_back({"compare-latency.svg", "latency", render_bar_chart(lat)});
  BarChart fail{"Failed requests by cause", "requests", labels, {}};
  fail.value_format = "{:.0f}";
  const char* colors[] = {"#8c564b", "#e377c2", "#7f7f7f", "#ff7f0e", "#d62728"};
  for (Cause c : kAllCauses)
    fail.series.push_back({cause_name(c), values([c](auto& e) { return double(e.failures[size_t(c)]); }), colors[size_t(c)]});
  out.push_back({"compare-failures.svg", "failed requests by cause", render_bar_chart(fail)});
  BarChart transfer{"Transfer rate", "KB/s", labels,
                    {{"KB/s", values([](auto& e) { return e.transfer_bytes_per_s / 1024; }), "#2ca02c"}}};
  out.push_back({"compare-transfer.svg", "transfer rate", render_bar_chart(transfer)});
  return out;
}

std::vector<std::filesystem::path> write_compare_report(const std::filesystem::path& dir,
                                                        const std::vector<CompareEntry>& entries,
                                                        std::string_view command_line) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  std::vector<std::filesystem::path> written;
  std::vector<std::string> files;
  for (auto& c : compare_charts(entries)) {
    write_text_file(dir / c.file, c.svg);
    written.push_back(dir / c.file);
    files.push_back(c.file);
  }
  write_report_documents(dir, compare_markdown(entries, command_line, files), written);
  return written;
}

}  // namespace mlfaas::bench
