// `mlfaas bench URL [options]`: the load generator (closed loop, open loop, sweeps) and its outputs;
// `mlfaas bench compare A.json B.json ...`: runs side by side. The work is in src/bench.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "bench/bench_run.h"
#include "bench/compare.h"
#include "bench/plan.h"
#include "bench/preset.h"
#include "bench/progress.h"
#include "bench/report.h"
#include "bench/result_json.h"
#include "bench/summary_text.h"
#include "common/version.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "common/strings.h"

namespace mlfaas::cli {
namespace {

using namespace mlfaas::bench;

struct Outputs {
  std::string json, csv, report;
};

std::string read_whole_file(const std::string& path) { return read_file(path); }

int write_outputs(const Outputs& o, const BenchPlan& plan, const RunResult& result) {
  try {
    const std::string cmd = command_line();
    if (!o.json.empty())
      write_text_file(o.json, boost::json::serialize(result_to_json(plan, result, mlfaas::version(), cmd)) + "\n");
    if (!o.csv.empty()) write_text_file(o.csv, timeline_csv(result));
    if (!o.report.empty()) {
      write_report(o.report, plan, result, cmd, mlfaas::version());
      fmt::print(stderr, "report: {0}/report.md ({0}/report.html for a browser)\n", o.report);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "mlfaas bench: {}\n", e.what());
    return 1;
  }
  return 0;
}

int bench(BenchOptions options, const Outputs& outputs) {
  BenchPlan plan;
  try {
    plan = resolve_plan(options, read_whole_file);
  } catch (const std::exception& e) {
    fmt::print(stderr, "mlfaas bench: {}\n", e.what());
    return 2;
  }
  ProgressPrinter progress(stderr, plan.mode == LoadMode::sweep);
  RunResult result;
  {
    InterruptScope interrupt;
    result = run_bench(plan, [&](const Progress& p) { progress.print(p); }, &g_interrupted);
  }
  progress.finish();
  fmt::print("{}", plan.mode == LoadMode::sweep ? sweep_table_text(plan, result) : summary_text(plan, result));
  std::fflush(stdout);
  if (int rc = write_outputs(outputs, plan, result)) return rc;
  if (result.data.total.completed > 0 && result.data.total.responses == 0) {
    fmt::print(stderr, "mlfaas bench: no response arrived from {} ({} requests failed)\n", plan.target.url,
               result.data.total.completed);
    return 1;
  }
  return 0;
}

int compare(const std::vector<std::string>& files, const std::string& report_dir) {
  std::vector<CompareEntry> entries;
  try {
    for (auto& f : files) {
      boost::system::error_code ec;
      auto doc = boost::json::parse(read_file(f), ec);
      if (ec) throw std::invalid_argument(fmt::format("{}: invalid JSON: {}", f, ec.message()));
      entries.push_back(compare_entry_from_json(doc, f));
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "mlfaas bench compare: {}\n", e.what());
    return 2;
  }
  fmt::print("{}", compare_text(entries));
  if (!report_dir.empty()) {
    try {
      write_compare_report(report_dir, entries, command_line());
      fmt::print(stderr, "report: {0}/report.md ({0}/report.html for a browser)\n", report_dir);
    } catch (const std::exception& e) {
      fmt::print(stderr, "mlfaas bench compare: {}\n", e.what());
      return 1;
    }
  }
  return 0;
}

void add_compare(CLI::App& bench_cmd, Runner& run) {
  auto* cmd = bench_cmd.add_subcommand("compare", "Compare runs side by side (the study's table) from --json files");
  auto files = std::make_shared<std::vector<std::string>>();
  auto report = std::make_shared<std::string>();
  cmd->add_option("files", *files, "JSON files written by mlfaas bench --json")->required();
  cmd->add_option("--report", *report, "write DIR/report.md and DIR/report.html with bar charts (SVG)");
  cmd->callback([=, &run] { run = [=] { return compare(*files, *report); }; });
}

}  // namespace

void add_bench(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("bench", "HTTP load generator: closed loop (wrk), open loop (wrk2), concurrency sweeps, reports");
  auto o = std::make_shared<BenchOptions>();
  auto out = std::make_shared<Outputs>();
  auto multipart = std::make_shared<std::string>();
  std::string presets;
  for (auto& p : bench::presets()) presets += fmt::format("\n  {}: {}", p.name, p.description);

  cmd->add_option("url", o->url, "http://host[:port][/path][?query]");
  cmd->add_option("-c,--connections", o->connections, "connections (open loop: the most requests in flight)")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "threads, each with its own event loop")->capture_default_str();
  cmd->add_option("-d,--duration", o->duration, "how long to send, e.g. 30s, 2m (default 10s; with --requests: no limit)");
  cmd->add_option("-n,--requests", o->requests, "stop after this many requests");
  cmd->add_option("--timeout", o->timeout, "per-request timeout (a timeout is a failure)")->capture_default_str();
  cmd->add_option("-R,--rate", o->rate, "open loop: requests per second over all threads (latency from the intended send time)");
  cmd->add_option("--arrival", o->arrival, "open loop arrivals: constant or poisson")->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed for poisson arrivals")->capture_default_str();
  cmd->add_option("--sweep", o->sweep, "concurrency sweep START:END:xFACTOR or START:END:+STEP, e.g. 1:64:x2");
  cmd->add_option("--window", o->window, "sweep measurement window")->capture_default_str();
  cmd->add_option("--stability", o->stability, "sweep: the last 3 windows agree within this percentage")->capture_default_str();
  cmd->add_option("--max-trials", o->max_trials, "sweep: at most this many windows per step")->capture_default_str();
  cmd->add_option("-f,--file", o->files, "request body from a file (repeatable; files are rotated)");
  cmd->add_option("--multipart", *multipart, "send files as multipart/form-data in field FIELD (default: file)")->expected(0, 1);
  cmd->add_flag("--base64", o->base64, "send files as JSON {\"image\": base64}");
  cmd->add_option("-H,--header", o->headers, "extra header \"Name: value\" (repeatable; Host too)");
  cmd->add_option("-m,--method", o->method, "HTTP method (default GET, POST with a body)");
  cmd->add_option("--preset", o->preset, "replay one of the original study's clients:" + presets);
  cmd->add_option("--gateway", o->gateway, "gateway to poll for the function's replicas, e.g. http://127.0.0.1:8080");
  cmd->add_option("--prometheus", o->prometheus,
                  "record the function's replicas, queue, CPU and memory from this Prometheus during the run "
                  "(e.g. mlfaas up --prometheus: http://127.0.0.1:9090)");
  cmd->add_option("--function", o->function, "function name at the gateway (default: from a /function/NAME URL)");
  cmd->add_option("--label", o->label, "name of this run in comparisons (default: the preset or the URL)");
  cmd->add_option("--json", out->json, "write everything (summary, timeline, histogram, settings) as JSON");
  cmd->add_option("--csv", out->csv, "write the per-second timeline as CSV");
  cmd->add_option("--report", out->report, "write DIR/report.md and DIR/report.html with SVG charts");
  add_compare(*cmd, run);

  cmd->callback([=, &run] {
    if (cmd->got_subcommand("compare")) return;
    if (cmd->count("--multipart")) {
      // `--multipart http://...` means the URL came after a bare --multipart.
      if (multipart->find("://") != std::string::npos && o->url.empty()) {
        o->url = *multipart;
        multipart->clear();
      }
      o->multipart_field = *multipart;
    }
    run = [=] { return bench(*o, *out); };
  });
}

}  // namespace mlfaas::cli
