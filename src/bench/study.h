#pragma once
// `mlfaas study`: the original OpenFaaS-vs-Knative study (../shared/docs/seed-study.md) as data —
// its two platform profiles, its two clients, its load and its published figures (slide 18) —
// plus the small pure pieces the command needs: which runs to make, the URL and headers of a run
// against a local platform, the machine's description, the gateway's cold-start metrics.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlfaas::bench {

// One of the study's platforms as `mlfaas up` runs it.
struct StudyProfile {
  std::string name;      // "knative", "openfaas"
  std::string title;     // "Knative (KPA, scale to zero)"
  std::string function;  // the study's function name
  std::string namespace_;
  std::string spec_file;  // file name written next to the report ("knative-service.yaml")
  std::string spec_text;  // compiled in from bench/study/
  std::string settings;   // one line: what the profile runs (for the report)
  // Knative routes by Host (the study's client sent one); OpenFaaS by /function/NAME.
  bool host_routing = false;
  // The profile starts at zero replicas, so the first request is a cold start.
  bool scale_to_zero = false;
};

// One of the study's clients (a `mlfaas bench --preset`).
struct StudyClient {
  std::string name;    // "knative", "openfaas": the platform the study used it on
  std::string preset;  // "seed-knative", "seed-openfaas"
  std::string title;   // "Knative client: 1.6 MB PNG, multipart, POST /predict"
  std::string path;    // the path the study's function served
};

// What slide 18 of the study published for one platform (its client on its platform).
struct PublishedFigures {
  std::string profile;  // "knative", "openfaas"
  double requests_per_s = 0;
  double mean_latency_s = 0;
  uint64_t non_2xx = 0;
  double transfer_kb_per_s = 0;
  uint64_t requests = 6000;  // "in total of 6000 requests"
};

// The load of every run: open loop at `rate` (0 = closed loop with `connections`, like wrk).
struct StudyLoad {
  double rate = 100;         // the study's measured ~100 requests/s
  uint64_t requests = 6000;  // "in total of 6000 requests"
  int connections = 1000;    // wrk -c1000 (open loop: the most requests in flight)
  int threads = 2;
  std::string timeout = "2s";  // wrk's default
  double seconds() const { return rate > 0 ? double(requests) / rate : 0; }
};
StudyLoad full_study_load();   // 6000 requests at 100/s
StudyLoad short_study_load();  // CI: 100 requests at 10/s

const std::vector<StudyProfile>& study_profiles();
const std::vector<StudyClient>& study_clients();
const std::vector<PublishedFigures>& published_figures();
const StudyProfile* find_study_profile(std::string_view name);
const StudyClient* find_study_client(std::string_view name);
const PublishedFigures* find_published(std::string_view profile);

// One run: a client against a profile. `paired` is the study's own pairing (its Knative client on
// Knative, its OpenFaaS client on OpenFaaS); the others are the cross pairings.
struct StudyRunSpec {
  std::string profile, client;
  bool paired = true;
  std::string id() const;  // "knative" for a paired run, else "knative-client-on-openfaas"
};
// The study's two pairings for `profiles` (in order), then, with `cross`, each other client on each.
std::vector<StudyRunSpec> plan_study_runs(const std::vector<std::string>& profiles, bool cross);

// URL and headers of a run against a local `mlfaas up` at `gateway_origin` (http://127.0.0.1:PORT):
// Host routing for Knative (the study's Host header), /function/NAME for OpenFaaS; the client's path.
struct RunTarget {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
};
RunTarget local_run_target(const StudyProfile& profile, const StudyClient& client, const std::string& gateway_origin);

// The machine the study ran on (as the report states it) vs this one.
struct MachineInfo {
  std::string cpu_model;  // /proc/cpuinfo "model name" (or "unknown")
  int logical_cpus = 0;   // processors listed in /proc/cpuinfo
  int usable_cpus = 0;    // what this process may use (affinity, cgroup quota)
  uint64_t memory_bytes = 0;  // /proc/meminfo MemTotal
  std::string kernel;         // uname -sr
  std::string flags_note;     // "AVX2, FMA" / "AVX-512" from the cpu flags
};
MachineInfo parse_machine_info(std::string_view cpuinfo, std::string_view meminfo);
MachineInfo read_machine_info();

// CPU time counters of /proc/stat's first line; busy fraction between two readings (0..1).
struct CpuTimes {
  uint64_t busy = 0, total = 0;
};
std::optional<CpuTimes> parse_proc_stat(std::string_view text);
CpuTimes read_cpu_times();
double busy_fraction(const CpuTimes& before, const CpuTimes& after);
// /proc/loadavg's 1-minute figure, or -1.
double read_load_average();
// CPU time of a process from its /proc/PID/stat text, in clock ticks (the unit of /proc/stat):
// utime + stime, plus cutime + cstime (children it has reaped) when `with_children`.
std::optional<uint64_t> parse_pid_stat_ticks(std::string_view text, bool with_children);
uint64_t process_ticks(int pid, bool with_children);  // 0 when the process is gone
uint64_t self_ticks();  // this process, all threads (getrusage)

// mlfaas_function_cold_starts_total and mlfaas_function_cold_start_seconds_{sum,count} of one
// function in a gateway's /metrics text.
struct ColdStartMetrics {
  double cold_starts = 0;
  double seconds_sum = 0, seconds_count = 0;
  bool found = false;
  double mean_seconds() const { return seconds_count > 0 ? seconds_sum / seconds_count : 0; }
};
ColdStartMetrics parse_cold_start_metrics(std::string_view metrics_text, std::string_view function);

// Sums the samples of counter `metric` in Prometheus text whose labels contain `filter` (e.g.
// `function_name="f"`; empty: every sample), grouped by the value of label `by` (empty: one sum
// under ""). Lets the report say who refused requests and why.
std::map<std::string, double> sum_metric(std::string_view metrics_text, std::string_view metric, std::string_view filter,
                                         std::string_view by);

// Who answered what the client counted as failures, from the servers' own counters after a run:
// the gateway (refused without a replica, by reason; clients that left) and the replicas alive at
// the end (refused without inference, by reason; requests dropped because their client left).
struct ServerSideCounts {
  std::map<std::string, double> gateway_rejected, replica_rejected;
  double gateway_abandoned = 0, replica_abandoned = 0;
  int replicas_scraped = 0;
  double gateway_rejected_total() const;
  double replica_rejected_total() const;
};

}  // namespace mlfaas::bench
