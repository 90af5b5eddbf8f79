#pragma once
// `mlfaas up --prometheus`: Debian's prometheus beside the platform, with a generated config that
// scrapes the gateway and every replica (file-based service discovery: the gateway rewrites the
// targets file as replicas come and go), evaluates mlfaas's alert rules (deploy/prometheus/alerts.yml,
// compiled in), and keeps a short retention. Runs as a DaemonProcess (dies with the platform).
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "common/daemon_process.h"

namespace mlfaas::platform {

struct PrometheusOptions {
  std::filesystem::path dir;               // config, rules, targets file, TSDB, log
  std::string address = "127.0.0.1:9090";  // its web UI and HTTP API
  std::string gateway = "127.0.0.1:8080";  // the gateway's host:port to scrape
  std::string executable = "/usr/bin/prometheus";
  std::string retention = "6h";
  std::chrono::seconds scrape_interval{5};
  std::chrono::milliseconds start_timeout{30'000};
};

class PrometheusServer {
 public:
  // Writes the config and starts prometheus; returns once it is ready. Throws std::runtime_error
  // with its last log lines when it cannot start.
  explicit PrometheusServer(PrometheusOptions opts);
  ~PrometheusServer();
  std::string url() const { return "http://" + opts_.address; }
  // The file_sd file the gateway keeps current (JSON: [{targets, labels}]).
  std::filesystem::path targets_file() const { return opts_.dir / "targets.json"; }
  // Supervision: how it ended, or "" while it runs; respawn() starts it again with the same
  // config and TSDB (returns once forked).
  std::string exited();
  void respawn();
  std::string last_log_lines(int n) const;

 private:
  PrometheusOptions opts_;
  std::unique_ptr<DaemonProcess> proc_;
};

// mlfaas's alert rules (deploy/prometheus/alerts.yml), compiled in.
const std::string& builtin_alert_rules();

}  // namespace mlfaas::platform
