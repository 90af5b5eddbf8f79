#pragma once
// The platform's HTTP front door:
//   /function/{name}[/path]              OpenFaaS-style invocation (any method)
//   Host: {name}.{namespace}[.domain]    Knative-style routing (any path)
//   /system/functions                    GET list, POST deploy, PUT update, DELETE remove
//   /system/function/{name}              GET status (OpenFaaS FunctionStatus + mlfaas details)
//   /system/scale-function/{name}        POST {"replicas": N}
//   /system/logs?name=&since=&tail=      NDJSON log lines of a function's replicas
//   /system/info, /healthz, /metrics
// /system/* needs HTTP basic auth (user admin) unless the gateway runs without a password.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <string>

#include "http/client.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "platform/child_process.h"
#include "platform/function_runtime.h"
#include "platform/platform_metrics.h"

namespace mlfaas::platform {

struct GatewayOptions {
  RuntimeOptions runtime;
  std::chrono::milliseconds tick{2000};  // autoscaler evaluation period (Knative tick-interval)
  double node_cpus = 0;  // cores replicas may reserve; 0 = the CPUs this process may use
  int max_replicas = 32;  // per function (Knative's max-scale-limit): specs asking for more are refused
  // The admin's password for /system/* (HTTP basic auth, user admin); empty = no authentication.
  std::string admin_password;
};

class Gateway {
 public:
  Gateway(boost::asio::io_context& ioc, GatewayOptions opts);
  ~Gateway();

  http::Handler handler();
  // The body limit for a request, from its head: 1 MiB for the /system API (specs are a few KiB),
  // no extra limit for invocations.
  uint64_t body_limit(const http::Request& head);
  // Creates or updates a function. Throws SpecError for specs the platform cannot run.
  void deploy(FunctionSpec spec);
  bool remove(const std::string& name);
  FunctionRuntime* find(const std::string& name);
  // Stops every replica of every function (SIGTERM, then SIGKILL after the grace period).
  void stop_all();
  bool all_stopped() const;
  metrics::Registry& registry() { return registry_; }

 private:
  boost::asio::awaitable<http::Response> handle(http::Request& req, http::RequestContext& ctx);
  boost::asio::awaitable<http::Response> invoke(FunctionRuntime& fn, http::Request& req, http::RequestContext& ctx,
                                                std::string target);
  http::Response functions_api(http::Request& req);
  // Refuses (SpecError) replica counts above max_replicas, and caps "unlimited" at it.
  void limit_replicas(FunctionSpec& spec) const;
  http::Response function_status(const std::string& name);
  http::Response scale_api(http::Request& req, const std::string& name);
  http::Response logs_api(const http::Request& req);
  FunctionRuntime* route_by_host(const http::Request& req);
  void schedule_tick();

  boost::asio::io_context& ioc_;
  GatewayOptions opts_;
  ChildReaper reaper_;
  http::Client client_;
  metrics::Registry registry_;
  PlatformMetrics metrics_;
  NodeCapacity node_;  // outlives the runtimes, which release their replicas' cores into it
  std::map<std::string, std::unique_ptr<FunctionRuntime>> functions_;
  // Removed functions whose replicas or requests are not done yet; dropped at the next tick after.
  std::vector<std::unique_ptr<FunctionRuntime>> retiring_;
  boost::asio::steady_timer ticker_;
  bool trimmed_ = true;  // the heap was trimmed since the last request
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mlfaas::platform
