#pragma once
// The report of `mlfaas study`: the study's published figures (slide 18) next to ours, what the
// study did not measure (percentiles, failures by cause, cold starts, replicas over time), every
// run including the cross pairings, charts, what ran, and an honest note on how this machine and
// this software differ from the study's cluster. Pure: built from StudyRun values, so it is tested
// from fixed results.
#include <array>
#include <boost/json/object.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_run.h"
#include "bench/histogram.h"
#include "bench/plan.h"
#include "bench/report.h"
#include "bench/study.h"
#include "bench/timeline_rows.h"

namespace mlfaas::bench {

// One run of the study as the report needs it: the client's numbers and, for a local platform, the
// gateway's.
struct StudyRun {
  StudyRunSpec spec;
  bool local = true;  // against a local `mlfaas up` (else a URL given with --url)
  std::string url;
  std::vector<std::string> headers;  // "Name: value" sent besides the client's own
  std::string bench_command;         // the same run as a `mlfaas bench` command line
  bool ran = false;                  // false: the run could not start (see `error`)
  std::string error;

  // The client's view (mlfaas bench).
  std::string started_at;
  double elapsed_s = 0;
  double timeout_s = 2;
  uint64_t requests = 0, responses = 0, succeeded = 0, bytes = 0;
  std::array<uint64_t, kCauseCount> failures{};
  std::map<int, uint64_t> statuses;
  LatencyHistogram latency;    // every response, any status, from the intended send time
  LatencyHistogram timed_out;  // requests given up at the timeout
  double first_success_s = -1;  // the first 2xx: when it arrived since the start (< 0: none)
  double first_success_latency_ms = 0;
  double send_lag_p99_ms = 0, send_lag_max_ms = 0;
  std::vector<TimelineRow> timeline;
  std::vector<GatewaySample> gateway;
  bool interrupted = false;

  // The platform's view (local runs, or a gateway that answers like mlfaas's).
  std::optional<ColdStartMetrics> cold_start;  // from the gateway's /metrics after the run
  std::optional<ServerSideCounts> server;      // who refused requests, from the servers' counters
  std::optional<int64_t> restarts;
  std::string autoscaler;  // the policy and its parameters, as the gateway describes them
  std::string prepared;    // what was done before the load (e.g. "scaled to zero through the API")
  bool from_zero = false;  // the load began at zero replicas (its first request was a cold start)
  double background_cpu = -1;  // share of the machine's CPU busy in the second before the load (0..1)
  // During the load, from /proc: the share of the machine's CPU busy with other work (all busy time
  // minus ours), and what ours used (load generator, platform, replicas) in cores.
  double other_cpu = -1;
  double own_cpu_cores = -1;

  std::string json_file, report_dir;  // relative to the report directory ("" when not written)

  double rps() const { return elapsed_s > 0 ? double(requests) / elapsed_s : 0; }
  double goodput() const { return elapsed_s > 0 ? double(succeeded) / elapsed_s : 0; }
  double transfer_bytes_per_s() const { return elapsed_s > 0 ? double(bytes) / elapsed_s : 0; }
  uint64_t failed() const;
  uint64_t failures_of(Cause c) const { return failures[size_t(c)]; }
  // For a run that started at zero replicas: the failures of requests sent while the function was
  // still starting, i.e. before the first success. From the per-second timeline: timeouts that
  // completed before the first success plus the client timeout, other failures before the first
  // success (whole seconds, rounded up). With no success at all, every failure; 0 for a run that did
  // not start from zero.
  uint64_t failures_while_cold() const;
  std::optional<int64_t> max_replicas() const;  // desired, from the gateway's polls
  std::optional<int64_t> max_ready() const;
  std::string title() const;  // "Knative client on Knative (the study's pairing)"
};

// Fills the client's view of a run from mlfaas bench's plan and result.
void fill_study_run(StudyRun& run, const BenchPlan& plan, const RunResult& result);

struct StudyReport {
  std::string command, version, started_at, finished_at;
  bool short_mode = false;
  StudyLoad load;
  MachineInfo machine;
  double load_average_before = -1;   // /proc/loadavg's 1-minute figure before the first run
  double background_cpu_before = -1;  // share of the CPU busy over a second before the first run
  std::string model;                  // the model directory the replicas used ("" for URLs only)
  std::vector<StudyRun> runs;
  std::vector<std::string> notes;  // what went wrong or differs, said plainly

  // The run of the study's own pairing for `profile`, if it ran.
  const StudyRun* paired_run(std::string_view profile) const;
  // True when the machine had other work: above 25 % of its CPU before or during any run.
  bool machine_busy() const;
};

// The study's table (requests/s, average latency, non-2xx, transfer rate) with its published
// figures next to ours, then what it did not publish; Markdown and text.
std::string published_table_markdown(const StudyReport& report);
std::string study_text(const StudyReport& report);

std::vector<NamedChart> study_charts(const StudyReport& report);
std::string study_markdown(const StudyReport& report, const std::vector<NamedChart>& charts);
// Everything the report says as data: machine, load, published figures and each run's numbers.
boost::json::object study_json(const StudyReport& report);

// Writes DIR/report.md, DIR/report.html, the SVG charts and DIR/study.json; returns the files.
std::vector<std::filesystem::path> write_study_report(const std::filesystem::path& dir, const StudyReport& report);

}  // namespace mlfaas::bench
