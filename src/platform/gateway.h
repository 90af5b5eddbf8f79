#pragma once
// The platform's HTTP front door:
//   /function/{name}[/path]              OpenFaaS-style invocation (any method)
//   Host: {name}.{namespace}[.domain]    Knative-style routing (any path)
//   Host: {tag}-{name}.{namespace}[...]  a traffic tag's revision (Knative's tag route)
//   /system/functions                    GET list, POST deploy, PUT update, DELETE remove
//   /system/function/{name}              GET status (OpenFaaS FunctionStatus + revisions, traffic)
//   /system/traffic/{name}               PUT {"traffic": [...]} (Knative's spec.traffic)
//   /async-function/{name}[/path], /system/queue...: see gateway_async.cpp
//   POST /{namespace}/{broker}, /system/brokers, /system/triggers...: see gateway_eventing.cpp
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
#include "platform/async_queue.h"
#include "platform/eventing.h"
#include "platform/function_runtime.h"
#include "platform/function_store.h"
#include "platform/service.h"
#include "platform/platform_metrics.h"

namespace mlfaas::platform {

struct GatewayOptions {
  RuntimeOptions runtime;
  std::chrono::milliseconds tick{2000};  // autoscaler evaluation period (Knative tick-interval)
  double node_cpus = 0;  // cores replicas may reserve; 0 = the CPUs this process may use
  int max_replicas = 32;  // per function (Knative's max-scale-limit): specs asking for more are refused
  // The admin's password for /system/* (HTTP basic auth, user admin); empty = no authentication.
  std::string admin_password;
  // Where functions, revisions and traffic are saved and restored from; empty = not saved.
  std::string state_dir;
  int keep_revisions = 10;  // unrouted revisions kept per function
  // Prometheus file_sd file listing every ready replica's /metrics (mlfaas up --prometheus); "" = none.
  std::string scrape_targets_file;
};

class Gateway {
 public:
  Gateway(boost::asio::io_context& ioc, GatewayOptions opts);
  ~Gateway();

  http::Handler handler();
  // The body limit for a request, from its head: 1 MiB for the /system API (specs are a few KiB),
  // no extra limit for invocations.
  uint64_t body_limit(const http::Request& head);
  // Creates or updates a function; returns the revision it created ("" if the template is
  // unchanged). Throws SpecError for specs the platform cannot run.
  std::string deploy(FunctionSpec spec);
  // `mlfaas up --specs`: deploys unless the function was restored and its file is unchanged since
  // the last start (then what the API changed since is kept). True if it deployed.
  bool deploy_at_start(FunctionSpec spec);
  // Applies the eventing objects of a spec set (after its functions). Throws SpecError.
  void apply_eventing(const EventingSpecs& e);
  bool remove(const std::string& name);
  Service* find(const std::string& name);
  // Brings back the functions saved in the state directory (before any deploy). Returns how many;
  // throws std::runtime_error for an unreadable state file.
  size_t restore();
  // Async invocations on `js` (which must outlive the gateway); without this call /async-function
  // answers 503 with `why_unavailable`.
  void attach_async(async::JetStream& js, AsyncOptions opts, EventingOptions eventing = {});
  // The gateway's own base URL (brokers' addresses, K_SINK), known once the server listens.
  void set_self_url(std::string url) { self_url_ = std::move(url); }
  void async_unavailable(std::string why) { async_unavailable_ = std::move(why); }
  // No new async calls start (shutdown).
  void stop_async_intake();
  // Stops every replica of every function (SIGTERM, then SIGKILL after the grace period).
  void stop_all();
  bool all_stopped() const;
  metrics::Registry& registry() { return registry_; }

 private:
  boost::asio::awaitable<http::Response> handle(http::Request& req, http::RequestContext& ctx);
  boost::asio::awaitable<http::Response> invoke(FunctionRuntime& fn, http::Request& req, http::RequestContext& ctx,
                                                std::string target);
  http::Response traffic_api(http::Request& req, const std::string& name);
  // /function/{name}[.{namespace}][/rest] split into its parts (the rest keeps the query).
  struct FunctionPath {
    std::string name, ns, target;
  };
  static FunctionPath parse_function_path(std::string_view rest);
  boost::asio::awaitable<http::Response> async_invoke(http::Request& req, const FunctionPath& fp);
  boost::asio::awaitable<http::Response> queue_api(http::Request& req, const std::string& path);
  int async_max_inflight(const FunctionSpec& spec) const;
  // Eventing (gateway_eventing.cpp).
  boost::asio::awaitable<http::Response> eventing_api(http::Request& req, const std::string& path);
  // Deploys a function's latest spec again (a SinkBinding changed what decorate() adds).
  void redeploy(const std::string& name);
  // Host {broker}-broker.{namespace}.svc.cluster.local (Knative's legacy broker address, the study's)
  // or POST /{namespace}/{broker}: the broker, else {"", ""}.
  std::pair<std::string, std::string> broker_route(const http::Request& req, const std::string& path) const;
  uint64_t async_body_limit() const;
  void persist();
  void write_scrape_targets();
  std::string scrape_targets_written_;
  ServiceContext service_context();
  http::Response functions_api(http::Request& req);
  // Refuses (SpecError) replica counts above max_replicas, and caps "unlimited" at it.
  void limit_replicas(FunctionSpec& spec) const;
  void check_runnable(const FunctionSpec& spec) const;
  http::Response function_status(const std::string& name);
  http::Response scale_api(http::Request& req, const std::string& name);
  http::Response logs_api(const http::Request& req);
  // Knative's host routes: {name}.{namespace}... (by weight) or {tag}-{name}.{namespace}... (the tag's
  // revision). The second is the tag, empty for the first.
  std::pair<Service*, std::string> route_by_host(const http::Request& req);
  void schedule_tick();

  boost::asio::io_context& ioc_;
  GatewayOptions opts_;
  ChildReaper reaper_;
  http::Client client_;
  metrics::Registry registry_;
  PlatformMetrics metrics_;
  NodeCapacity node_;  // outlives the runtimes, which release their replicas' cores into it
  std::map<std::string, std::unique_ptr<Service>> functions_;
  // Removed functions and collected revisions whose replicas or requests are not done yet; dropped
  // at the next tick after.
  std::vector<std::unique_ptr<Service>> retiring_;
  std::vector<std::unique_ptr<FunctionRuntime>> retiring_revisions_;
  std::unique_ptr<FunctionStore> store_;
  BlockingPool blocking_{4};  // NATS calls off the I/O thread
  std::unique_ptr<AsyncQueue> async_;
  std::unique_ptr<Eventing> eventing_;
  std::string self_url_ = "http://127.0.0.1:8080";  // reset first in ~Gateway: its threads call into the functions
  std::string async_unavailable_ = "no queue configured";
  boost::asio::steady_timer ticker_;
  bool trimmed_ = true;  // the heap was trimmed since the last request
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mlfaas::platform
