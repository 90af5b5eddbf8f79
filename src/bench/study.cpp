#include "bench/study.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/cpus.h"
#include "common/strings.h"

namespace mlfaas::bench {

extern const char* kStudyKnativeSpec;
extern const char* kStudyOpenfaasSpec;

namespace {

std::string slurp(const char* path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::optional<double> to_double(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end == copy.c_str()) return std::nullopt;
  return v;
}

// The value of `key` on a "key<TAB>: value" line of /proc/cpuinfo (first occurrence).
std::string cpuinfo_value(std::string_view text, std::string_view key) {
  for (auto line : split(text, '\n')) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (trim(line.substr(0, colon)) == key) return std::string(trim(line.substr(colon + 1)));
  }
  return {};
}

}  // namespace

StudyLoad full_study_load() { return StudyLoad{}; }

StudyLoad short_study_load() {
  StudyLoad l;
  l.rate = 10;
  l.requests = 100;
  return l;
}

const std::vector<StudyProfile>& study_profiles() {
  static const std::vector<StudyProfile> all = {
      {"knative", "Knative (KPA, scale to zero)", "ml-image-classifier", "demo", "knative-service.yaml",
       kStudyKnativeSpec,
       "KPA on concurrency, target 100 per replica at 70 % utilisation, 60 s stable window, scale to zero, "
       "containerConcurrency 0, no CPU requests",
       true, true},
      {"openfaas", "OpenFaaS CE (RPS rule, 1 to 5 replicas)", "image-classifier-new", "openfaas-fn",
       "openfaas-stack.yml", kStudyOpenfaasSpec,
       "OpenFaaS CE rule: > 5 requests/s answered 200 over 10 s for 5 s adds a replica (factor 20), min 1, max 5, "
       "no scale to zero, no CPU requests",
       false, false},
  };
  return all;
}

const std::vector<StudyClient>& study_clients() {
  static const std::vector<StudyClient> all = {
      {"knative", "seed-knative", "Knative client: 1.6 MB PNG, multipart `file`, POST /predict", "/predict"},
      {"openfaas", "seed-openfaas", "OpenFaaS client: 2.7 KB JPEG, raw body, POST /", "/"},
  };
  return all;
}

const std::vector<PublishedFigures>& published_figures() {
  // ../shared/docs/seed-study.md section 7 (slide 18 of the study's presentation).
  static const std::vector<PublishedFigures> all = {
      {"knative", 100.39, 1.28, 62, 24.42, 6000},
      {"openfaas", 83.50, 1.08, 525, 41.39, 6000},
  };
  return all;
}

const StudyProfile* find_study_profile(std::string_view name) {
  for (auto& p : study_profiles())
    if (p.name == name) return &p;
  return nullptr;
}

const StudyClient* find_study_client(std::string_view name) {
  for (auto& c : study_clients())
    if (c.name == name) return &c;
  return nullptr;
}

const PublishedFigures* find_published(std::string_view profile) {
  for (auto& f : published_figures())
    if (f.profile == profile) return &f;
  return nullptr;
}

std::string StudyRunSpec::id() const {
  return paired ? profile : fmt::format("{}-client-on-{}", client, profile);
}

std::vector<StudyRunSpec> plan_study_runs(const std::vector<std::string>& profiles, bool cross) {
  std::vector<StudyRunSpec> runs;
  for (auto& p : profiles) runs.push_back({p, p, true});
  if (cross)
    for (auto& p : profiles)
      for (auto& c : study_clients())
        if (c.name != p) runs.push_back({p, c.name, false});
  return runs;
}

RunTarget local_run_target(const StudyProfile& profile, const StudyClient& client, const std::string& gateway_origin) {
  RunTarget t;
  if (profile.host_routing) {
    // The study's wrk sent `Host: ml-image-classifier.demo.<ip>.xip.io` to the ingress; Knative's
    // default domain is example.com.
    t.url = gateway_origin + client.path;
    t.headers.push_back(fmt::format("Host: {}.{}.example.com", profile.function, profile.namespace_));
  } else {
    t.url = fmt::format("{}/function/{}{}", gateway_origin, profile.function, client.path == "/" ? "" : client.path);
  }
  return t;
}

MachineInfo parse_machine_info(std::string_view cpuinfo, std::string_view meminfo) {
  MachineInfo m;
  m.cpu_model = cpuinfo_value(cpuinfo, "model name");
  if (m.cpu_model.empty()) m.cpu_model = cpuinfo_value(cpuinfo, "Model");  // arm64
  if (m.cpu_model.empty()) m.cpu_model = "unknown";
  for (auto line : split(cpuinfo, '\n')) {
    auto colon = line.find(':');
    if (colon != std::string_view::npos && trim(line.substr(0, colon)) == "processor") ++m.logical_cpus;
  }
  std::string flags = " ";
  flags += cpuinfo_value(cpuinfo, "flags");
  flags += ' ';
  std::vector<std::string> have;
  if (flags.find(" avx512f ") != std::string::npos) have.push_back("AVX-512");
  if (flags.find(" avx2 ") != std::string::npos) have.push_back("AVX2");
  if (flags.find(" fma ") != std::string::npos) have.push_back("FMA");
  for (auto& h : have) {
    if (!m.flags_note.empty()) m.flags_note += ", ";
    m.flags_note += h;
  }
  for (auto line : split(meminfo, '\n')) {
    if (line.rfind("MemTotal:", 0) != 0) continue;
    auto rest = trim(line.substr(9));
    uint64_t kb = 0;
    std::from_chars(rest.data(), rest.data() + rest.size(), kb);
    m.memory_bytes = kb * 1024;
  }
  return m;
}

MachineInfo read_machine_info() {
  MachineInfo m = parse_machine_info(slurp("/proc/cpuinfo"), slurp("/proc/meminfo"));
  m.usable_cpus = usable_cpus();
  utsname u{};
  if (uname(&u) == 0) m.kernel = fmt::format("{} {} ({})", u.sysname, u.release, u.machine);
  return m;
}

std::optional<CpuTimes> parse_proc_stat(std::string_view text) {
  auto line = text.substr(0, text.find('\n'));
  if (line.rfind("cpu ", 0) != 0) return std::nullopt;
  CpuTimes t;
  int i = 0;
  for (auto field : split(line.substr(4), ' ')) {
    if (field.empty()) continue;
    uint64_t v = 0;
    std::from_chars(field.data(), field.data() + field.size(), v);
    // user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
    if (i < 8) {
      t.total += v;
      if (i != 3 && i != 4) t.busy += v;
    }
    ++i;
  }
  if (i < 4) return std::nullopt;
  return t;
}

CpuTimes read_cpu_times() { return parse_proc_stat(slurp("/proc/stat")).value_or(CpuTimes{}); }

double busy_fraction(const CpuTimes& before, const CpuTimes& after) {
  if (after.total <= before.total) return 0;
  return double(after.busy - before.busy) / double(after.total - before.total);
}

double read_load_average() {
  auto v = to_double(slurp("/proc/loadavg").substr(0, 16));
  return v ? *v : -1;
}

std::optional<uint64_t> parse_pid_stat_ticks(std::string_view text, bool with_children) {
  // "PID (comm) state ppid ..." — comm may hold spaces and parentheses: fields start after the last ')'.
  auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::vector<std::string_view> fields;
  for (auto f : split(text.substr(close + 1), ' '))
    if (!f.empty()) fields.push_back(f);
  // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
  if (fields.size() < 15) return std::nullopt;
  uint64_t total = 0;
  for (size_t i = 11; i < (with_children ? 15u : 13u); ++i) {
    int64_t v = 0;
    std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), v);
    total += uint64_t(std::max<int64_t>(v, 0));
  }
  return total;
}

uint64_t process_ticks(int pid, bool with_children) {
  if (pid <= 0) return 0;
  return parse_pid_stat_ticks(slurp(fmt::format("/proc/{}/stat", pid).c_str()), with_children).value_or(0);
}

uint64_t self_ticks() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  const double secs = double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  return uint64_t(secs * double(sysconf(_SC_CLK_TCK)));
}

ColdStartMetrics parse_cold_start_metrics(std::string_view text, std::string_view function) {
  ColdStartMetrics m;
  const std::string label = fmt::format("function_name=\"{}\"", function);
  for (auto line : split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    if (line.find(label) == std::string_view::npos) continue;
    auto brace = line.find('{');
    if (brace == std::string_view::npos) continue;
    auto name = line.substr(0, brace);
    auto close = line.rfind('}');
    if (close == std::string_view::npos) continue;
    auto value = to_double(line.substr(close + 1));
    if (!value) continue;
    if (name == "mlfaas_function_cold_starts_total") m.cold_starts = *value, m.found = true;
    else if (name == "mlfaas_function_cold_start_seconds_sum") m.seconds_sum = *value, m.found = true;
    else if (name == "mlfaas_function_cold_start_seconds_count") m.seconds_count = *value, m.found = true;
  }
  return m;
}

std::map<std::string, double> sum_metric(std::string_view text, std::string_view metric, std::string_view filter,
                                         std::string_view by) {
  std::map<std::string, double> out;
  for (auto line : split(text, '\n')) {
    if (line.empty() || line[0] == '#' || !line.starts_with(metric)) continue;
    auto rest = line.substr(metric.size());
    std::string_view labels;
    if (!rest.empty() && rest[0] == '{') {
      auto close = rest.rfind('}');
      if (close == std::string_view::npos) continue;
      labels = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
    } else if (rest.empty() || rest[0] != ' ') {
      continue;  // another metric whose name starts with this one
    }
    if (!filter.empty() && labels.find(filter) == std::string_view::npos) continue;
    auto value = to_double(rest);
    if (!value) continue;
    std::string key;
    if (!by.empty()) {
      const std::string prefix = std::string(by) + "=\"";
      auto at = labels.find(prefix);
      if (at != std::string_view::npos && (at == 0 || labels[at - 1] == ',')) {
        auto start = at + prefix.size();
        auto end = labels.find('"', start);
        key = std::string(labels.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
      }
    }
    out[key] += *value;
  }
  return out;
}

double ServerSideCounts::gateway_rejected_total() const {
  double n = 0;
  for (auto& [k, v] : gateway_rejected) n += v;
  return n;
}

double ServerSideCounts::replica_rejected_total() const {
  double n = 0;
  for (auto& [k, v] : replica_rejected) n += v;
  return n;
}

}  // namespace mlfaas::bench
