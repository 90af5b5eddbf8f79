#pragma once
// `mlfaas bench compare A.json B.json ...`: the original study's comparison table (requests/s,
// average latency, non-2xx responses, transfer rate), side by side for any number of runs, plus
// what the study did not have: p50/p99, failures by cause, and the settings that make runs
// comparable or not. Bar charts with `--report DIR`.
#include <array>
#include <boost/json/value.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/tally.h"

namespace mlfaas::bench {

struct CompareEntry {
  std::string label;
  std::string source;  // the JSON file
  std::string url, mode, started_at;
  int connections = 0;
  double duration_s = 0;  // elapsed
  uint64_t requests = 0;
  double rps = 0;
  double transfer_bytes_per_s = 0;
  double mean_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  std::array<uint64_t, kCauseCount> failures{};
  uint64_t failed = 0;
};

// Reads a `mlfaas bench --json` document; throws std::invalid_argument saying what is missing.
CompareEntry compare_entry_from_json(const boost::json::value& doc, const std::string& source);

std::string compare_text(const std::vector<CompareEntry>& entries);
std::string compare_markdown(const std::vector<CompareEntry>& entries, std::string_view command_line,
                             const std::vector<std::string>& chart_files);

struct CompareChart {
  std::string file, alt, svg;
};
std::vector<CompareChart> compare_charts(const std::vector<CompareEntry>& entries);

// report.md (compare) and the bar charts into `dir`; returns the files written.
std::vector<std::filesystem::path> write_compare_report(const std::filesystem::path& dir,
                                                        const std::vector<CompareEntry>& entries,
                                                        std::string_view command_line);

}  // namespace mlfaas::bench
