#include "platform/prometheus_server.h"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "http/fetch.h"

namespace mlfaas::platform {

namespace fs = std::filesystem;

extern const char* kBuiltinAlertRules;  // generated from deploy/prometheus/alerts.yml

const std::string& builtin_alert_rules() {
  static const std::string s = kBuiltinAlertRules;
  return s;
}

namespace {

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::trunc);
  f << text;
  if (!f.flush()) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

PrometheusServer::PrometheusServer(PrometheusOptions o) : opts_(std::move(o)) {
  fs::create_directories(opts_.dir / "data");
  opts_.dir = fs::absolute(opts_.dir);
  if (!fs::exists(targets_file())) write_file(targets_file(), "[]\n");
  const bool rules = !builtin_alert_rules().empty();
  if (rules) write_file(opts_.dir / "alerts.yml", builtin_alert_rules());
  const auto every = opts_.scrape_interval.count();
  write_file(opts_.dir / "prometheus.yml",
             fmt::format("# Written by mlfaas up --prometheus at every start; edits are overwritten.\n"
                         "global:\n  scrape_interval: {}s\n  evaluation_interval: {}s\n"
                         "{}"
                         "scrape_configs:\n"
                         "  - job_name: gateway\n    static_configs:\n      - targets: ['{}']\n"
                         "  - job_name: functions\n    file_sd_configs:\n      - files: ['{}']\n        refresh_interval: {}s\n",
                         every, every, rules ? fmt::format("rule_files:\n  - '{}'\n", (opts_.dir / "alerts.yml").string()) : "",
                         opts_.gateway, targets_file().string(), every));
  respawn();
  const auto deadline = std::chrono::steady_clock::now() + opts_.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto how = proc_->exited(); !how.empty())
      throw std::runtime_error(fmt::format("prometheus {} while starting; last lines of {}:\n{}", how,
                                           proc_->log_file().string(), proc_->last_log_lines(8)));
    auto r = http::fetch(url() + "/-/ready", http::Verb::get, {}, {}, std::chrono::seconds(1));
    if (r.ok() && r.response.result_int() == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  proc_->stop();
  throw std::runtime_error(fmt::format("prometheus was not ready within {} ms; last lines of {}:\n{}",
                                       opts_.start_timeout.count(), proc_->log_file().string(), proc_->last_log_lines(8)));
}

PrometheusServer::~PrometheusServer() = default;

std::string PrometheusServer::exited() { return proc_ ? proc_->exited() : "is not running"; }

void PrometheusServer::respawn() {
  if (proc_) proc_->stop(std::chrono::seconds(1));
  proc_ = std::make_unique<DaemonProcess>(
      std::vector<std::string>{opts_.executable, "--config.file=" + (opts_.dir / "prometheus.yml").string(),
                               "--storage.tsdb.path=" + (opts_.dir / "data").string(),
                               "--storage.tsdb.retention.time=" + opts_.retention,
                               "--web.listen-address=" + opts_.address, "--web.enable-lifecycle"},
      opts_.dir / "prometheus.log");
}

std::string PrometheusServer::last_log_lines(int n) const { return proc_ ? proc_->last_log_lines(n) : ""; }

}  // namespace mlfaas::platform
