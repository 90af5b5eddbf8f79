#pragma once
// The processes of one function and their lifecycle: start (a free port, the Knative environment,
// MLFAAS_CPUS, a reservation of the node's cores), probe until ready, route (LoadBalancer), drain,
// SIGTERM then SIGKILL after the grace period, reap. What to do about a replica that became ready
// or exited is the owner's decision (FunctionRuntime), told through ReplicaEvents. Runs on the
// platform's single I/O thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string_view>

#include "http/client.h"
#include "platform/child_process.h"
#include "platform/container_runtime.h"
#include "platform/function_spec.h"
#include "platform/load_balancer.h"
#include "platform/node_capacity.h"

namespace mlfaas::platform {

enum class ReplicaState { starting, ready, draining, stopping };
const char* replica_state_name(ReplicaState s);

struct Replica {
  using Clock = std::chrono::steady_clock;
  int id = 0;
  int port = 0;
  int revision = 1;
  double cpu = 0;  // cores reserved on the node
  ReplicaState state = ReplicaState::starting;
  std::unique_ptr<ChildProcess> proc;
  std::string container;  // its podman container's name (--runtime podman), else ""
  Clock::time_point started, ready_at;
  ReadinessProbe probe;
  std::chrono::milliseconds startup_timeout{0};
  std::unique_ptr<boost::asio::steady_timer> kill_timer;
};

struct ReplicaEvents {
  std::function<void(Replica&)> ready;                            // passed its readiness probe
  std::function<void(const Replica&, int status, bool expected)> exited;  // reaped (then forgotten)
  std::function<void(int replica, std::string_view line)> log;   // its output and our notes
};

class ReplicaSet {
 public:
  // `next_id` numbers replicas; the revisions of one function share it, so ids stay unique in its logs.
  ReplicaSet(boost::asio::io_context& ioc, ChildReaper& reaper, http::Client& client, NodeCapacity& node,
             std::chrono::milliseconds stop_grace, ContainerRuntime runtime, ReplicaEvents events, int& next_id);
  // Kills what is left (SIGKILL) and returns its cores.
  ~ReplicaSet();
  ReplicaSet(const ReplicaSet&) = delete;
  ReplicaSet& operator=(const ReplicaSet&) = delete;

  // Reserves the cores a replica of `spec` needs; false: the node is full (the replica is pending).
  bool reserve(const FunctionSpec& spec) { return node_.reserve(spec.cpu_request); }
  // Starts a replica of `revision` on cores reserve() took; throws (after returning them) if the
  // process cannot be started.
  int start(const FunctionSpec& spec, int revision);
  // No new requests; SIGTERM once its in-flight requests are done.
  void drain(int id);
  // A ready replica refused a connection: no traffic until its probe passes again.
  void reprobe(int id);
  // A request forwarded to `id` is done.
  void release(int id);
  // Drains every replica at once (SIGTERM now, SIGKILL after the grace period).
  void stop_all();

  LoadBalancer& lb() { return lb_; }
  const LoadBalancer& lb() const { return lb_; }
  const std::map<int, Replica>& all() const { return replicas_; }
  const Replica* find(int id) const;
  bool empty() const { return replicas_.empty(); }
  int count(ReplicaState s) const;
  // Starting or ready replicas of `revision`.
  int active(int revision) const;
  NodeCapacity& node() { return node_; }
  const NodeCapacity& node() const { return node_; }

 private:
  // SIGKILL, and for a container also its removal.
  void kill_hard(Replica& r);
  void probe_until_ready(int id);
  void on_ready(int id);
  void on_exit(int id, int status);
  void terminate(int id);
  void note(int id, std::string_view text) { events_.log(id, text); }

  boost::asio::io_context& ioc_;
  ChildReaper& reaper_;
  http::Client& client_;
  NodeCapacity& node_;
  std::chrono::milliseconds stop_grace_;
  ContainerRuntime runtime_;
  ReplicaEvents events_;
  std::map<int, Replica> replicas_;
  LoadBalancer lb_;
  int& next_id_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards callbacks after destruction
};

}  // namespace mlfaas::platform
