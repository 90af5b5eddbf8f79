// `mlfaas study`: the original study's two scenarios (its clients, payloads and load) against
// `mlfaas up` with a Knative profile and an OpenFaaS CE profile, or against any URL; one report.
// The work is in src/bench/study*.
#include <fmt/format.h>

#include <filesystem>
#include <algorithm>
#include <map>

#include "bench/progress.h"
#include "bench/study.h"
#include "bench/study_report.h"
#include "bench/study_run.h"
#include "bench/units.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "common/version.h"
#include "model/locator.h"

namespace mlfaas::cli {
namespace {

namespace fs = std::filesystem;
using namespace mlfaas::bench;

struct StudyCliOptions {
  std::string out = "study-report";
  bool short_mode = false, cross = false;
  std::vector<std::string> profiles;
  std::vector<std::string> urls, headers;
  std::string knative_spec, openfaas_spec;
  double rate = -1;        // < 0: the mode's default
  uint64_t requests = 0;   // 0: the mode's default
  int connections = 0, threads = 0;  // 0: default
  std::string timeout;
  std::string model, seed_dir = "../shared/seed-study";
  int start_timeout_s = 60;
};

// "PROFILE=VALUE" -> {PROFILE, VALUE}; throws naming the option.
std::pair<std::string, std::string> profile_value(const std::string& text, const char* option) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument(fmt::format("{} \"{}\": expected PROFILE=VALUE (PROFILE: knative or openfaas)", option, text));
  std::string profile = text.substr(0, eq);
  if (!find_study_profile(profile))
    throw std::invalid_argument(fmt::format("{} \"{}\": unknown profile \"{}\" (knative or openfaas)", option, text, profile));
  return {profile, text.substr(eq + 1)};
}

StudyOptions resolve(const StudyCliOptions& c) {
  StudyOptions o;
  o.out_dir = c.out;
  o.short_mode = c.short_mode;
  o.cross = c.cross;
  o.load = c.short_mode ? short_study_load() : full_study_load();
  if (c.rate >= 0) o.load.rate = c.rate;
  if (c.requests) o.load.requests = c.requests;
  if (c.connections) o.load.connections = c.connections;
  if (c.threads) o.load.threads = c.threads;
  if (!c.timeout.empty()) {
    parse_duration(c.timeout);  // throws with the value named
    o.load.timeout = c.timeout;
  }
  if (o.load.connections < 1 || o.load.threads < 1) throw std::invalid_argument("--connections and --threads must be at least 1");
  if (!c.profiles.empty()) {
    o.profiles.clear();
    for (auto& p : c.profiles) {
      if (!find_study_profile(p)) throw std::invalid_argument(fmt::format("--profile \"{}\": knative or openfaas", p));
      if (std::find(o.profiles.begin(), o.profiles.end(), p) == o.profiles.end()) o.profiles.push_back(p);
    }
  }
  for (auto& u : c.urls) {
    auto [p, url] = profile_value(u, "--url");
    if (url.rfind("http://", 0) != 0) throw std::invalid_argument(fmt::format("--url \"{}\": only http:// URLs", u));
    o.urls[p] = url;
  }
  for (auto& h : c.headers) {
    auto [p, header] = profile_value(h, "--header");
    parse_header(header);  // throws with the header named
    o.headers[p].push_back(header);
  }
  if (!c.knative_spec.empty()) o.spec_files["knative"] = c.knative_spec;
  if (!c.openfaas_spec.empty()) o.spec_files["openfaas"] = c.openfaas_spec;
  o.seed_dir = c.seed_dir;
  o.start_timeout = std::chrono::seconds(std::max(1, c.start_timeout_s));
  std::error_code ec;
  o.mlfaas_exe = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) throw std::runtime_error("cannot find this executable: " + ec.message());
  bool any_local = false;
  for (auto& p : o.profiles) any_local = any_local || !o.urls.count(p);
  if (any_local) {
    // The replicas would find it the same way; naming it here puts it in the report.
    auto loc = model::locate_model(c.model.empty() ? std::nullopt : std::optional<std::string>(c.model));
    o.model_dir = fs::absolute(loc.dir).lexically_normal().string();
  }
  o.command_line = command_line();
  o.version = mlfaas::version();
  return o;
}

int study(const StudyCliOptions& c) {
  StudyOptions o;
  try {
    o = resolve(c);
  } catch (const std::exception& e) {
    fmt::print(stderr, "mlfaas study: {}\n", e.what());
    return 2;
  }
  ProgressPrinter progress(stderr, false);
  auto log = [&](const std::string& line) {
    progress.finish();
    fmt::print(stderr, "study: {}\n", line);
  };
  StudyReport report;
  {
    InterruptScope interrupt;
    try {
      report = run_study(o, log, [&](const Progress& p) { progress.print(p); }, &g_interrupted);
    } catch (const std::invalid_argument& e) {
      fmt::print(stderr, "mlfaas study: {}\n", e.what());
      return 2;
    } catch (const std::exception& e) {
      fmt::print(stderr, "mlfaas study: {}\n", e.what());
      return 1;
    }
  }
  progress.finish();
  fmt::print("{}", study_text(report));
  std::fflush(stdout);
  try {
    write_study_report(o.out_dir, report);
    fmt::print(stderr, "report: {0}/report.md ({0}/report.html for a browser; study.json, runs/ for each run)\n",
               o.out_dir.string());
  } catch (const std::exception& e) {
    fmt::print(stderr, "mlfaas study: {}\n", e.what());
    return 1;
  }
  for (auto& r : report.runs)
    if (!r.ran || r.responses == 0) return 1;
  return 0;
}

}  // namespace

void add_study(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "study",
      "Reproduce the OpenFaaS-vs-Knative study: its two clients and payloads at its load against mlfaas up with a "
      "Knative and an OpenFaaS CE profile (or any URL); one report (Markdown, HTML, SVG) with its figures next to ours");
  auto c = std::make_shared<StudyCliOptions>();
  cmd->add_option("-o,--out", c->out, "directory of the report (report.md, report.html, SVGs, study.json, runs/)")
      ->capture_default_str();
  cmd->add_flag("--short", c->short_mode, "CI mode: 100 requests at 10/s per run instead of 6000 at 100/s");
  cmd->add_flag("--cross", c->cross, "also run each client on the other profile (4 runs)");
  cmd->add_option("--profile", c->profiles, "run only this profile: knative or openfaas (repeatable)");
  cmd->add_option("--url", c->urls,
                  "PROFILE=URL: run that profile's scenario against URL (e.g. a real cluster) instead of a local "
                  "mlfaas up (repeatable)");
  cmd->add_option("-H,--header", c->headers,
                  "PROFILE='Name: value': an extra header for that profile's runs, e.g. knative='Host: "
                  "ml-image-classifier.demo.example.com' for a Knative ingress (repeatable)");
  cmd->add_option("--knative-spec", c->knative_spec, "Knative Service YAML to run instead of bench/study/knative-service.yaml "
                                                     "(function ml-image-classifier, namespace demo)");
  cmd->add_option("--openfaas-spec", c->openfaas_spec,
                  "OpenFaaS stack.yml to run instead of bench/study/openfaas-stack.yml (function image-classifier-new)");
  cmd->add_option("-R,--rate", c->rate,
                  "requests/s, open loop (default 100; 10 with --short; 0: closed loop like wrk)");
  cmd->add_option("-n,--requests", c->requests, "requests per run (default 6000; 100 with --short)");
  cmd->add_option("-c,--connections", c->connections, "most requests in flight (closed loop: connections; default 1000)");
  cmd->add_option("-t,--threads", c->threads, "load generator threads (default 2)");
  cmd->add_option("--timeout", c->timeout, "client timeout per request (default 2s, wrk's)");
  cmd->add_option("--model", c->model, "model directory for the replicas (default: as mlfaas serve finds it)");
  cmd->add_option("--seed-dir", c->seed_dir, "directory with the study's knative-image.png and openfaas-download.jpg")
      ->capture_default_str();
  cmd->add_option("--start-timeout", c->start_timeout_s, "seconds for a platform and its first replica to be ready")
      ->capture_default_str();
  cmd->callback([=, &run] { run = [=] { return study(*c); }; });
}

}  // namespace mlfaas::cli
