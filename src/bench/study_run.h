#pragma once
// Runs `mlfaas study`: for each run (a client against a profile) it starts a fresh `mlfaas up`
// with the profile's spec on a free loopback port (or uses the URL given for that profile), waits
// for the function, prepares it (Knative: scaled to zero, so the load's first request is a cold
// start; OpenFaaS CE: its minimum replica ready), runs the client's load with mlfaas bench while
// polling the gateway for replicas, reads the gateway's cold-start metrics, stops the platform, and
// writes the run's JSON and its own bench report. The caller assembles the study report.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_run.h"
#include "bench/study.h"
#include "bench/study_report.h"

namespace mlfaas::bench {

struct StudyOptions {
  std::filesystem::path out_dir;
  bool short_mode = false;
  bool cross = false;
  StudyLoad load;
  std::vector<std::string> profiles{"knative", "openfaas"};
  std::map<std::string, std::string> urls;                  // profile -> URL (no local platform)
  std::map<std::string, std::vector<std::string>> headers;  // profile -> extra "Name: value" headers
  std::map<std::string, std::string> spec_files;            // profile -> spec file instead of the built-in
  std::string mlfaas_exe;  // the binary that runs `mlfaas up` (this one)
  std::string model_dir;   // `mlfaas up --model`; empty: the replicas find the model themselves
  std::string seed_dir = "../shared/seed-study";  // the study's two images
  std::chrono::milliseconds start_timeout{60'000};  // platform healthy and the function ready
  std::string command_line, version;
};

using StudyLog = std::function<void(const std::string&)>;

// Runs every run and returns the report (also when runs failed: they say why). `progress` gets the
// live progress of each load; `interrupt` (a signal handler's flag) stops the current load and
// skips the rest. Throws std::invalid_argument for options it cannot use (unknown profile, spec
// file or image that cannot be read).
StudyReport run_study(const StudyOptions& options, const StudyLog& log, const ProgressFn& progress,
                      const std::atomic<bool>* interrupt);

// The same run as a `mlfaas bench` command line.
std::string bench_command_line(const BenchOptions& o);

}  // namespace mlfaas::bench
