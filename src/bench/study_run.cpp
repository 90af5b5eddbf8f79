#include "bench/study_run.h"

#include <arpa/inet.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <ctime>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "bench/preset.h"
#include "bench/report.h"
#include "bench/result_json.h"
#include "bench/units.h"
#include "common/daemon_process.h"
#include "common/strings.h"
#include "http/fetch.h"

namespace mlfaas::bench {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string utc_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(now));
}

// A TCP port that was free on 127.0.0.1 a moment ago (0 on failure).
int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool interrupted(const std::atomic<bool>* flag) { return flag && flag->load(); }

// GET `url`; the body when it answered 200.
std::optional<std::string> get_text(const std::string& url, std::chrono::milliseconds timeout = 2s) {
  try {
    auto r = http::fetch(url, http::Verb::get, {}, {}, timeout);
    if (!r.ok() || r.response.result_int() != 200) return std::nullopt;
    return r.response.body();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<json::object> get_json(const std::string& url) {
  auto body = get_text(url);
  if (!body) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(*body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v.as_object();
}

int64_t int_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return int64_t(v->as_uint64());
  if (v->is_double()) return int64_t(v->as_double());
  return 0;
}

// Polls `cond` every 20 ms until it holds; false on timeout or interrupt.
bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout, const std::atomic<bool>* interrupt) {
  const auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if (cond()) return true;
    if (interrupted(interrupt)) return false;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

std::string quote(std::string_view arg) {
  const bool plain = !arg.empty() && arg.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./:=@%+,") ==
                                          std::string_view::npos;
  if (plain) return std::string(arg);
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `mlfaas up` with a profile's spec on a free loopback port: ephemeral (every run starts from the
// same state), no NATS (no async), no access log (the load is the point), no auth (loopback only).
class LocalPlatform {
 public:
  LocalPlatform(const StudyOptions& o, const fs::path& spec, const fs::path& log, const std::atomic<bool>* interrupt) {
    for (int attempt = 0;; ++attempt) {
      port_ = free_loopback_port();
      if (port_ == 0) throw std::runtime_error("no free port on 127.0.0.1");
      std::vector<std::string> argv = {o.mlfaas_exe, "up",       "--address", "127.0.0.1", "--port",
                                       std::to_string(port_), "--specs", spec.string(), "--ephemeral", "--nats",
                                       "none",     "--access-log", "off", "--no-auth", "--stop-grace-ms", "5000",
                                       "--drain-grace-ms", "5000"};
      if (!o.model_dir.empty()) argv.insert(argv.end(), {"--model", o.model_dir});
      proc_ = std::make_unique<DaemonProcess>(argv, log);
      bool up = wait_until([&] { return get_text(origin() + "/healthz", 1s).has_value() || !proc_->exited().empty(); },
                           20s, interrupt);
      const std::string exited = proc_->exited();
      if (up && exited.empty()) return;
      const std::string tail = proc_->last_log_lines(8);
      proc_->stop(1s);
      if (!exited.empty() && tail.find("in use") != std::string::npos && attempt < 3) continue;  // port taken meanwhile
      throw std::runtime_error(fmt::format("mlfaas up {}; its log ({}):\n{}",
                                           exited.empty() ? "did not answer /healthz within 20 s" : exited,
                                           log.string(), tail));
    }
  }
  ~LocalPlatform() { stop(); }
  std::string origin() const { return fmt::format("http://127.0.0.1:{}", port_); }
  int pid() const { return proc_ ? proc_->pid() : 0; }
  std::string exited() { return proc_ ? proc_->exited() : std::string(); }
  std::string log_tail() const { return proc_ ? proc_->last_log_lines(8) : std::string(); }
  // SIGTERM: the platform drains and stops its replicas.
  void stop() {
    if (proc_) proc_->stop(15s);
  }

 private:
  int port_ = 0;
  std::unique_ptr<DaemonProcess> proc_;
};

std::string spec_text_for(const StudyOptions& o, const StudyProfile& p) {
  auto it = o.spec_files.find(p.name);
  if (it == o.spec_files.end()) return p.spec_text;
  try {
    return read_file(it->second);
  } catch (const std::exception& e) {
    throw std::invalid_argument(fmt::format("--{}-spec: {}", p.name, e.what()));
  }
}

fs::path seed_file(const StudyOptions& o, const StudyClient& c) {
  const Preset* preset = find_preset(c.preset);
  return fs::path(o.seed_dir) / fs::path(std::string(preset->default_file)).filename();
}

BenchOptions bench_options(const StudyOptions& o, const StudyRunSpec& spec, const std::string& url,
                           const std::vector<std::string>& headers, const std::string& gateway, const std::string& function) {
  const StudyClient* client = find_study_client(spec.client);
  BenchOptions b;
  b.url = url;
  b.preset = client->preset;
  b.files = {seed_file(o, *client).string()};
  b.rate = o.load.rate;
  b.requests = o.load.requests;
  b.connections = o.load.connections;
  b.threads = o.load.threads;
  b.timeout = o.load.timeout;
  b.headers = headers;
  b.gateway = gateway;
  b.function = function;
  b.label = spec.id();
  return b;
}

// Waits for the function's first replica, then brings it to the state the study's load met.
std::string prepare(LocalPlatform& platform, const StudyProfile& p, const StudyOptions& o, StudyRun& run,
                    const std::atomic<bool>* interrupt) {
  const std::string status_url = platform.origin() + "/system/function/" + p.function;
  std::optional<json::object> status;
  const bool ready = wait_until(
      [&] {
        status = get_json(status_url);
        return status && int_field(*status, "readyReplicas") >= 1;
      },
      o.start_timeout, interrupt);
  if (!ready) {
    std::string why = status ? fmt::format("status {}", json::serialize(*status)) : "no status from the gateway";
    throw std::runtime_error(fmt::format("function {} had no ready replica within {} s ({}); the platform's log:\n{}",
                                         p.function, o.start_timeout.count() / 1000, why.substr(0, 600),
                                         platform.log_tail()));
  }
  if (auto* a = status->if_contains("autoscaler"); a && a->is_object()) {
    auto& ao = a->as_object();
    std::string policy = ao.contains("policy") && ao.at("policy").is_string() ? std::string(ao.at("policy").as_string()) : "";
    std::string params;
    if (auto* pp = ao.if_contains("parameters")) params = pp->is_string() ? std::string(pp->as_string()) : json::serialize(*pp);
    run.autoscaler = params.empty() ? policy : params.rfind(policy, 0) == 0 ? params : policy + ": " + params;
  }
  if (!p.scale_to_zero)
    return fmt::format("{} replica{} ready (the profile's minimum) when the load began", int_field(*status, "readyReplicas"),
                       int_field(*status, "readyReplicas") == 1 ? "" : "s");
  // What an idle Knative revision reaches after its stable window and grace period (90 s by
  // default), done at once through the API.
  auto r = http::fetch(platform.origin() + "/system/scale-function/" + p.function, http::Verb::post, R"({"replicas": 0})",
                       {{"Content-Type", "application/json"}}, 10s);
  if (!r.ok() || r.response.result_int() / 100 != 2)
    throw std::runtime_error(fmt::format("scaling {} to zero failed: {}", p.function,
                                         r.ok() ? std::to_string(r.response.result_int()) + " " + r.response.body() : r.message));
  const bool zero = wait_until(
      [&] {
        auto s = get_json(status_url);
        if (!s || int_field(*s, "readyReplicas") != 0) return false;
        auto* d = s->if_contains("replicaDetails");
        return d && d->is_array() && d->as_array().empty();
      },
      30s, interrupt);
  if (!zero) throw std::runtime_error(fmt::format("{} did not reach zero replicas within 30 s", p.function));
  run.from_zero = true;
  return "scaled to zero through the gateway's API once its first replica was ready; the load's first request found no "
         "replica (a cold start)";
}

void write_run_outputs(const StudyOptions& o, StudyRun& run, const BenchPlan& plan, const RunResult& result) {
  const fs::path runs = o.out_dir / "runs";
  std::error_code ec;
  fs::create_directories(runs, ec);
  write_text_file(runs / (run.spec.id() + ".json"),
                  json::serialize(result_to_json(plan, result, o.version, run.bench_command)) + "\n");
  run.json_file = "runs/" + run.spec.id() + ".json";
  write_report(runs / run.spec.id(), plan, result, run.bench_command, o.version);
  run.report_dir = "runs/" + run.spec.id();
}

// The function's log lines (its replicas' output and the gateway's notes about it), one per line as
// "instance: text", next to the platform's own log.
void save_function_logs(const std::string& origin, const std::string& function, const fs::path& file) {
  auto body = get_text(origin + "/system/logs?name=" + function + "&tail=5000", 5s);
  if (!body) return;
  std::string out;
  for (auto line : split(*body, '\n')) {
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    auto& o = v.as_object();
    auto str = [&](const char* k) {
      auto* x = o.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    out += str("instance");
    out += ": ";
    out += str("text");
    out += '\n';
  }
  try {
    write_text_file(file, out);
  } catch (const std::exception&) {
  }
}

// CPU time used so far by this study's processes: this one (the load generator), the platform with
// the replicas it has reaped, and its live replicas.
uint64_t own_ticks(const LocalPlatform* platform, const std::string& function) {
  uint64_t t = self_ticks();
  if (!platform) return t;
  t += process_ticks(platform->pid(), true);
  if (auto s = get_json(platform->origin() + "/system/function/" + function))
    if (auto* d = s->if_contains("replicaDetails"); d && d->is_array())
      for (auto& r : d->as_array())
        if (r.is_object()) t += process_ticks(int(int_field(r.as_object(), "pid")), false);
  return t;
}

double background_cpu_over_a_second() {
  const CpuTimes a = read_cpu_times();
  std::this_thread::sleep_for(1s);
  return busy_fraction(a, read_cpu_times());
}

void run_one(const StudyOptions& o, StudyRun& run, const StudyLog& log, const ProgressFn& progress,
             const std::atomic<bool>* interrupt) {
  const StudyProfile* profile = find_study_profile(run.spec.profile);
  const StudyClient* client = find_study_client(run.spec.client);
  std::unique_ptr<LocalPlatform> platform;
  std::string gateway, function;
  if (run.local) {
    const fs::path spec = o.out_dir / "profiles" / profile->spec_file;
    fs::create_directories(o.out_dir / "logs");
    log(fmt::format("{}: starting mlfaas up with {}", run.spec.id(), spec.string()));
    platform = std::make_unique<LocalPlatform>(o, spec, o.out_dir / "logs" / (run.spec.id() + ".log"), interrupt);
    RunTarget t = local_run_target(*profile, *client, platform->origin());
    run.url = t.url;
    run.headers = t.headers;
    gateway = platform->origin();
    function = profile->function;
    run.prepared = prepare(*platform, *profile, o, run, interrupt);
    log(fmt::format("{}: {}", run.spec.id(), run.prepared));
  } else {
    run.prepared = "an external target: not prepared";
  }
  auto extra = o.headers.find(run.spec.profile);
  if (extra != o.headers.end()) run.headers.insert(run.headers.end(), extra->second.begin(), extra->second.end());

  BenchOptions bo = bench_options(o, run.spec, run.url, run.headers, gateway, function);
  run.bench_command = bench_command_line(bo);
  BenchPlan plan = resolve_plan(bo, [](const std::string& path) { return read_file(path); });
  if (interrupted(interrupt)) throw std::runtime_error("interrupted");
  run.background_cpu = background_cpu_over_a_second();
  log(fmt::format("{}: {} on {}: {} requests{}", run.spec.id(), client->title, run.local ? profile->title : run.url,
                  o.load.requests, o.load.rate > 0 ? fmt::format(" at {:g}/s", o.load.rate) : ""));
  const CpuTimes machine_before = read_cpu_times();
  const uint64_t own_before = own_ticks(platform.get(), function);
  const auto wall_before = SteadyClock::now();
  RunResult result = run_bench(plan, progress, interrupt);
  const uint64_t own_after = own_ticks(platform.get(), function);
  const CpuTimes machine_after = read_cpu_times();
  const double wall_s = std::chrono::duration<double>(SteadyClock::now() - wall_before).count();
  fill_study_run(run, plan, result);
  if (machine_after.total > machine_before.total) {
    const double busy = double(machine_after.busy - machine_before.busy), own = double(own_after - own_before);
    run.other_cpu = std::max(0.0, busy - own) / double(machine_after.total - machine_before.total);
    run.own_cpu_cores = own / (wall_s * double(sysconf(_SC_CLK_TCK)));
  }

  // The platform's side: cold starts (request at zero replicas until a replica was ready), restarts,
  // and who refused what (the gateway's and the live replicas' counters).
  const std::string origin = run.local ? gateway : plan.gateway_origin.value_or("");
  if (!origin.empty()) {
    const std::string fn = plan.function.value_or(profile->function);
    ServerSideCounts server;
    bool found = false;
    if (auto text = get_text(origin + "/metrics")) {
      if (auto cs = parse_cold_start_metrics(*text, fn); cs.found) run.cold_start = cs;
      const std::string filter = fmt::format("function_name=\"{}\"", fn);
      auto rejected = sum_metric(*text, "mlfaas_function_rejected_total", filter, "reason");
      auto abandoned = sum_metric(*text, "mlfaas_function_abandoned_total", filter, "");
      found = !abandoned.empty() || !rejected.empty();
      for (auto& [k, v] : rejected)
        if (v > 0) server.gateway_rejected[k] = v;
      server.gateway_abandoned = abandoned[""];
    }
    if (auto s = get_json(origin + "/system/function/" + fn)) {
      if (s->contains("restarts")) run.restarts = int_field(*s, "restarts");
      if (auto* d = s->if_contains("replicaDetails"); d && d->is_array() && run.local)
        for (auto& r : d->as_array()) {
          if (!r.is_object()) continue;
          auto text = get_text(fmt::format("http://127.0.0.1:{}/metrics", int_field(r.as_object(), "port")));
          if (!text) continue;
          ++server.replicas_scraped;
          for (auto& [k, v] : sum_metric(*text, "mlfaas_requests_rejected_total", "", "reason"))
            if (v > 0) server.replica_rejected[k] += v;
          server.replica_abandoned += sum_metric(*text, "mlfaas_requests_abandoned_total", "", "")[""];
        }
    }
    if (found || server.replicas_scraped > 0) run.server = server;
  }
  if (platform) {
    save_function_logs(gateway, function, o.out_dir / "logs" / (run.spec.id() + "-function.log"));
    const std::string exited = platform->exited();
    if (!exited.empty()) run.error = "mlfaas up " + exited + " during the run";
    platform->stop();
  }
  write_run_outputs(o, run, plan, result);
  log(fmt::format("{}: {:.2f} requests/s, mean {}, p99 {}, {} failed", run.spec.id(), run.rps(),
                  format_latency_us(run.latency.mean()), format_latency_us(run.latency.percentile(99)), run.failed()));
}

}  // namespace

std::string bench_command_line(const BenchOptions& o) {
  std::string cmd = "mlfaas bench " + quote(o.url);
  cmd += " --preset " + quote(o.preset);
  for (auto& f : o.files) cmd += " --file " + quote(f);
  if (o.rate > 0) cmd += fmt::format(" -R {:g}", o.rate);
  if (o.requests) cmd += fmt::format(" -n {}", o.requests);
  cmd += fmt::format(" -c {} -t {} --timeout {}", o.connections, o.threads, quote(o.timeout));
  for (auto& h : o.headers) cmd += " -H " + quote(h);
  if (!o.gateway.empty()) cmd += " --gateway " + quote(o.gateway);
  if (!o.function.empty()) cmd += " --function " + quote(o.function);
  if (!o.label.empty()) cmd += " --label " + quote(o.label);
  return cmd;
}

StudyReport run_study(const StudyOptions& o, const StudyLog& log, const ProgressFn& progress,
                      const std::atomic<bool>* interrupt) {
  for (auto& p : o.profiles)
    if (!find_study_profile(p)) throw std::invalid_argument(fmt::format("unknown profile \"{}\" (known: knative, openfaas)", p));
  for (auto& [p, url] : o.urls)
    if (!find_study_profile(p)) throw std::invalid_argument(fmt::format("--url {}=...: unknown profile (known: knative, openfaas)", p));
  for (auto& c : study_clients()) {
    const fs::path f = seed_file(o, c);
    std::error_code ec;
    if (!fs::is_regular_file(f, ec))
      throw std::invalid_argument(fmt::format("the study's {} image {} is missing (--seed-dir DIR names the directory)",
                                              c.name, f.string()));
  }

  StudyReport report;
  report.command = o.command_line;
  report.version = o.version;
  report.short_mode = o.short_mode;
  report.load = o.load;
  report.model = o.model_dir;
  report.machine = read_machine_info();
  report.started_at = utc_now();

  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", o.out_dir.string(), ec.message()));
  bool any_local = false;
  for (auto& p : o.profiles) {
    if (o.urls.count(p)) continue;
    any_local = true;
    const StudyProfile* profile = find_study_profile(p);
    fs::create_directories(o.out_dir / "profiles");
    write_text_file(o.out_dir / "profiles" / profile->spec_file, spec_text_for(o, *profile));
  }
  if (!any_local) report.model.clear();

  report.load_average_before = read_load_average();
  report.background_cpu_before = background_cpu_over_a_second();
  if (report.machine_busy())
    report.notes.push_back(fmt::format("the machine was busy before the study began: {:.0f} % of its CPU in use by other "
                                       "work (load average {:.2f})",
                                       report.background_cpu_before * 100, report.load_average_before));

  for (auto& spec : plan_study_runs(o.profiles, o.cross)) {
    StudyRun run;
    run.spec = spec;
    auto url = o.urls.find(spec.profile);
    run.local = url == o.urls.end();
    if (!run.local) run.url = url->second;
    if (interrupted(interrupt)) {
      run.error = "skipped: interrupted";
      report.runs.push_back(std::move(run));
      continue;
    }
    try {
      run_one(o, run, log, progress, interrupt);
    } catch (const std::exception& e) {
      run.ran = false;
      run.error = e.what();
      log(fmt::format("{}: did not run: {}", spec.id(), e.what()));
    }
    if (run.ran && !run.error.empty()) report.notes.push_back(fmt::format("{}: {}", spec.id(), run.error));
    if (run.interrupted) report.notes.push_back(fmt::format("interrupted during {}: its numbers cover what ran", spec.id()));
    if (run.ran && (run.background_cpu > 0.25 || run.other_cpu > 0.25))
      report.notes.push_back(fmt::format("{}: other work kept {:.0f} % of the machine's CPU busy just before its load and "
                                         "{:.0f} % during it",
                                         spec.id(), std::max(0.0, run.background_cpu) * 100, std::max(0.0, run.other_cpu) * 100));
    report.runs.push_back(std::move(run));
  }
  report.finished_at = utc_now();
  return report;
}

}  // namespace mlfaas::bench
