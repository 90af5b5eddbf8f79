#pragma once
// `mlfaas bench --prometheus URL`: what the server side did during the run, from Prometheus. Once a
// second, on its own thread, it evaluates instant queries for the function (ready and desired
// replicas, queue depth, in-flight requests at the gateway, replica CPU in cores and resident memory)
// and records them; a failed query is recorded as missing and never disturbs the run.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mlfaas::bench {

struct PrometheusSample {
  double t = 0;  // seconds since the run's origin
  std::map<std::string, double> values;  // query name -> value (absent: no data)
};

// The queries recorded, by name, for `function` ("" = every function).
std::vector<std::pair<std::string, std::string>> prometheus_queries(const std::string& function);
// The value of a Prometheus instant-query answer (the sum of its vector), or nullopt.
std::optional<double> parse_instant_value(std::string_view body);

class PrometheusPoller {
 public:
  using Clock = std::chrono::steady_clock;
  PrometheusPoller(std::string base_url, std::string function, Clock::time_point origin,
                   std::chrono::milliseconds period = std::chrono::seconds(1));
  ~PrometheusPoller();
  void start();
  void stop();
  std::vector<PrometheusSample> samples() const;
  const std::string& url() const { return base_; }

 private:
  void loop();
  std::string base_, function_;
  Clock::time_point origin_;
  std::chrono::milliseconds period_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<PrometheusSample> samples_;
  std::thread thread_;
};

}  // namespace mlfaas::bench
