#pragma once
// Watches a function behind a gateway during a run: GET {gateway}/system/function/{name} once a
// second on its own thread, recording `replicas`, `availableReplicas` (ready) and `queueDepth`
// when present. The mlfaas gateway returns all three, OpenFaaS the first two; a missing field, a
// non-200 answer or an unreachable gateway is recorded as such and never disturbs the run.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/fetch.h"

namespace mlfaas::bench {

struct GatewaySample {
  double t = 0;  // seconds since the run's origin
  bool ok = false;
  int status = 0;  // HTTP status, 0 when no response
  std::optional<int64_t> replicas, available_replicas, queue_depth;
  std::string error;  // why the sample has no data
};

// Parses the function status JSON; fills replicas/available_replicas/queue_depth (absent fields
// stay empty). Sets error and ok = false for a body that is not a JSON object.
void parse_function_status(std::string_view body, GatewaySample& sample);

class GatewayPoller {
 public:
  using Clock = std::chrono::steady_clock;
  GatewayPoller(std::string status_url, Clock::time_point origin, std::chrono::milliseconds period = std::chrono::seconds(1));
  ~GatewayPoller();  // stops
  void start();
  void stop();
  std::vector<GatewaySample> samples() const;

 private:
  void loop();
  std::string url_;
  http::HeaderList auth_;  // the gateway's admin credentials, when the CLI can find them
  Clock::time_point origin_;
  std::chrono::milliseconds period_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<GatewaySample> samples_;
  std::thread thread_;
};

}  // namespace mlfaas::bench
