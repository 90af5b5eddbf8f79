#pragma once
// One revision of a deployed function (a Knative Revision; the Service in service.h picks which
// revision a request goes to): it forwards requests (function_invoke.cpp) through its queue
// (RequestQueue) to its replicas (ReplicaSet), feeds its demand history to the autoscaling policy,
// and reconciles the replica count with the policy's decision (this file's .cpp). Its status
// JSON is in function_status.cpp, its replicas' output in a LogRing. Function-level gauges are
// the sum over the function's revisions: each revision adds its share (SharedGauge).
//
// Everything runs on the platform's single I/O thread, so there are no locks: state changes
// happen in handlers of that io_context only.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "autoscale/function_metrics.h"
#include "autoscale/policy.h"
#include "http/async_result.h"
#include "http/client.h"
#include "http/types.h"
#include "platform/container_runtime.h"
#include "platform/function_spec.h"
#include "platform/log_ring.h"
#include "platform/node_capacity.h"
#include "platform/replica_set.h"
#include "platform/request_queue.h"
#include "platform/platform_metrics.h"
#include "platform/restart_backoff.h"

namespace mlfaas::platform {

using Clock = std::chrono::steady_clock;

struct RuntimeOptions {
  size_t max_queue = 10'000;                     // Knative activator breakerQueueDepth
  uint64_t max_queue_bytes = 128ull << 20;       // bodies held while waiting, per function
  std::chrono::milliseconds stop_grace{10'000};  // SIGTERM -> SIGKILL
  ContainerRuntime container;                    // replicas as processes or podman containers
  int retry_after_seconds = 1;
};

// What the gateway knows about the client side of a request.
struct CallerInfo {
  std::string remote_ip;
  std::string host;
  std::shared_ptr<http::Cancellation> cancellation;  // fires when the client leaves
};

// What the revisions of one function share: one log (so `mlfaas logs` follows the function across
// revisions) and the replica numbering.
struct FunctionShared {
  LogRing logs;
  int next_replica_id = 1;
};

class FunctionRuntime {
 public:
  FunctionRuntime(boost::asio::io_context& ioc, ChildReaper& reaper, http::Client& client, PlatformMetrics& metrics,
                  NodeCapacity& node, FunctionShared& shared, FunctionSpec spec, RuntimeOptions opts = {});
  ~FunctionRuntime();
  FunctionRuntime(const FunctionRuntime&) = delete;
  FunctionRuntime& operator=(const FunctionRuntime&) = delete;

  const FunctionSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  // This revision's name (spec().revision_name, set by the Service).
  const std::string& revision() const { return spec_.revision_name; }

  // Forwards `req` (target already rewritten to the function's path) to a replica, waiting for one
  // when none has free capacity. Always produces a response: the replica's, or 502/503/504 JSON
  // (499 when the client left first). The request's deadline is the function's timeout, lowered
  // by the client's X-Mlfaas-Timeout-Ms / grpc-timeout; the replica gets what is left of it.
  boost::asio::awaitable<http::Response> invoke(http::Request& req, const CallerInfo& caller);

  // Autoscaler decision + reconcile. Called every tick, and at once when a request finds no
  // ready replica.
  void tick();
  // Sets the replica count now (system API / `mlfaas scale`). With 0 (allowed when the policy
  // may scale to zero) the demand history is cleared so the autoscaler doesn't bring it back.
  void scale_to(int replicas);
  // A revision no traffic target routes to scales to zero at once and stays there (Knative's
  // unreachable revisions); routed again, it scales from zero on demand as usual.
  void set_routed(bool routed);
  bool routed() const { return routed_; }
  // A replica of this revision has been ready at least once (Knative: the revision became Ready).
  bool ever_ready() const { return ever_ready_; }
  // Marks a revision restored after a restart as one that was ready before.
  void assume_ready() { ever_ready_ = true; }
  // Called when the revision becomes ready for the first time (the Service moves traffic then).
  std::function<void()> on_first_ready;
  // Stops every replica (SIGTERM, SIGKILL after the grace period); waiting requests get 503.
  void stop_all();
  // No replica left and no request inside (a runtime may only be destroyed then: suspended
  // invocations refer to it).
  bool all_stopped() const { return replicas_.empty() && in_flight_ == 0; }
  int pending_replicas() const { return pending_; }
  bool idle() const { return in_flight_ == 0; }

  boost::json::object status_json() const;
  // Prometheus file_sd entries ({targets, labels}) for this revision's ready replicas.
  void scrape_targets(boost::json::array& out) const;
  std::vector<LogLine> logs(uint64_t after_seq, size_t max) const { return logs_.since(after_seq, max); }
  int ready_replicas() const { return replicas_.count(ReplicaState::ready); }
  int desired_replicas() const { return desired_; }
  size_t queue_depth() const { return queue_.size(); }
  uint64_t invocations() const { return invocations_; }

 private:
  void release(int replica);
  http::Response queue_response(const QueueOutcome& o);
  void reconcile();
  bool start_replica();  // false: it could not start (counted, backoff scheduled)
  void on_ready(Replica& r);
  void on_exit(const Replica& r, int status, bool expected);
  void record_demand();
  void add_log(int replica, std::string_view text) { logs_.add(replica, text); }
  void refresh_gauges();
  std::unique_ptr<autoscale::Policy> make_policy_now(Clock::time_point created, int ready);

  boost::asio::io_context& ioc_;
  PlatformMetrics& metrics_;
  FunctionSpec spec_;
  RuntimeOptions opts_;

  ReplicaSet replicas_;
  http::Client& client_;
  RequestQueue queue_;
  static constexpr int revision_ = 1;  // ReplicaSet's revision tag: one per runtime now
  bool routed_ = true;
  bool ever_ready_ = false;
  RestartBackoff backoff_;
  boost::asio::steady_timer backoff_timer_;
  bool backoff_pending_ = false;
  bool stopping_ = false;
  bool zero_hold_ = false;  // scaled to 0 through the API: stay there until a request arrives

  autoscale::FunctionMetrics demand_;
  std::unique_ptr<autoscale::Policy> policy_;
  autoscale::Decision last_decision_;
  int desired_ = 0;
  int pending_ = 0;    // wanted but not started: the node's cores are reserved (Kubernetes: Pending)
  int in_flight_ = 0;  // in the gateway for this function: queued + running
  uint64_t invocations_ = 0, cold_starts_ = 0, restarts_ = 0;
  std::optional<Clock::time_point> cold_start_since_;
  // Set when a replica exits before it was ever ready, cleared when one becomes ready: requests
  // meanwhile get 503 at once with this cause (Knative's revision condition Ready=False).
  struct Failure {
    std::string reason;   // ExitCode | Signal | StartFailed | ProbeTimeout
    std::string message;  // for the client and `mlfaas describe`
    std::chrono::system_clock::time_point since;
  };
  std::optional<Failure> failure_;
  void record_failure(std::string reason, std::string message);
  Clock::time_point created_;

  // Metric series of this function, looked up once (a lookup takes a mutex and allocates labels).
  struct Series {
    metrics::Counter *started, *cold_starts, *restarts, *retries, *abandoned, *upstream_cancelled;
    metrics::Histogram* cold_start_seconds;
    metrics::Gauge *rev_desired, *rev_ready;
    metrics::Gauge *kn_desired, *kn_actual, *kn_panic;
  } m_;
  // This revision's share of a function-level gauge: set() adds the difference to the sum.
  struct SharedGauge {
    metrics::Gauge* g = nullptr;
    double mine = 0;
    void set(double v) {
      g->inc(v - mine);
      mine = v;
    }
  };
  SharedGauge service_count_, desired_gauge_, ready_gauge_, queue_gauge_, in_flight_gauge_, pending_gauge_;
  struct ByCode {
    metrics::Counter* invocations;
    metrics::Histogram* duration;
    metrics::Counter* revision_requests;
    metrics::Counter* kn_count;
    metrics::Histogram* kn_latency;
  };
  std::map<unsigned, ByCode> by_code_;
  ByCode& by_code(unsigned code);

  LogRing& logs_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards callbacks after destruction
};

}  // namespace mlfaas::platform
