#pragma once
// `--csv FILE` (the per-second timeline) and `--report DIR` (report.md + report.html with SVG charts: throughput
// and latency over time, replicas and queue depth over time when a gateway was watched, the
// latency CDF, and for sweeps throughput and latency against concurrency).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_run.h"
#include "bench/plan.h"
#include "bench/svg_chart.h"
#include "bench/timeline_rows.h"

namespace mlfaas::bench {

std::string timeline_csv(const RunResult& result);

// The charts of a report, by file name (e.g. "throughput.svg").
struct NamedChart {
  std::string file;
  std::string alt;
  std::string svg;
};
std::vector<NamedChart> report_charts(const BenchPlan& plan, const RunResult& result);
LineChart latency_cdf_chart(const LatencyHistogram& h, const std::string& title);

std::string report_markdown(const BenchPlan& plan, const RunResult& result, std::string_view command_line,
                            std::string_view version, const std::vector<NamedChart>& charts);

// Creates `dir` if needed and writes report.md and the SVGs; returns the files written.
std::vector<std::filesystem::path> write_report(const std::filesystem::path& dir, const BenchPlan& plan,
                                                const RunResult& result, std::string_view command_line,
                                                std::string_view version);

// Writes `text` to `path`, throwing std::runtime_error naming the path on failure.
void write_text_file(const std::filesystem::path& path, std::string_view text);

// Writes DIR/report.md and DIR/report.html (the same document for a browser, titled by its first
// heading) and appends both to `written`.
void write_report_documents(const std::filesystem::path& dir, const std::string& markdown,
                            std::vector<std::filesystem::path>& written);

}  // namespace mlfaas::bench
