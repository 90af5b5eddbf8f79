// FunctionRuntime's status as JSON: OpenFaaS's FunctionStatus fields first (faas-cli reads them),
// then mlfaas's (replicas by state, pending and why, queue, autoscaler decision, replica details).
#include <fmt/format.h>

#include "platform/function_runtime.h"

namespace mlfaas::platform {

namespace json = boost::json;

json::object FunctionRuntime::status_json() const {
  const auto now = Clock::now();
  json::array reps;
  int starting = 0;
  for (auto& [id, r] : replicas_.all()) {
    const char* st = replica_state_name(r.state);
    starting += r.state == ReplicaState::starting;
    reps.push_back(json::object{{"id", id},
                                {"pid", r.proc ? r.proc->pid() : 0},
                                {"port", r.port},
                                {"revision", spec_.revision_name},
                                {"state", st},
                                {"inFlight", replicas_.lb().in_flight(id)},
                                {"uptimeSeconds", std::chrono::duration<double>(now - r.started).count()}});
  }
  json::object labels, annotations, env;
  for (auto& [k, v] : spec_.labels) labels[k] = v;
  for (auto& [k, v] : spec_.annotations) annotations[k] = v;
  for (auto& [k, v] : spec_.env) env[k] = v;
  json::array command;
  for (auto& c : spec_.command) command.push_back(json::string(c));
  json::array warnings;
  for (auto& w : spec_.warnings) warnings.push_back(json::string(w));
  // OpenFaaS FunctionStatus fields first (faas-cli reads these), then mlfaas's.
  return json::object{
      {"name", spec_.name},
      {"namespace", spec_.namespace_},
      {"image", spec_.image},
      {"envProcess", command.empty() ? "" : spec_.command[0]},
      {"envVars", env},
      {"labels", labels},
      {"annotations", annotations},
      {"replicas", desired_},
      {"availableReplicas", ready_replicas()},
      {"invocationCount", invocations_},
      {"desiredReplicas", desired_},
      {"readyReplicas", ready_replicas()},
      {"startingReplicas", starting},
      {"pendingReplicas", pending_},
      {"pendingReason", pending_ == 0 ? std::string()
                        : fmt::format("Unschedulable: each replica requests {} CPU and {:.3g} of the node's {:.3g} "
                                      "cores are reserved",
                                      spec_.cpu_request, replicas_.node().reserved(), replicas_.node().cores())},
      {"cpuRequest", spec_.cpu_request},
      {"cpuLimit", spec_.cpu_limit},
      {"queueDepth", queue_.size()},
      {"overloaded", queue_.overloaded()},
      {"inFlight", in_flight_},
      {"coldStarts", cold_starts_},
      {"restarts", restarts_},
      {"revision", spec_.revision_name},
      {"routed", routed_},
      {"format", spec_.format},
      {"source", spec_.source},
      {"command", command},
      {"containerConcurrency", spec_.container_concurrency},
      {"timeoutSeconds", spec_.timeout.count() % 1000 == 0 ? json::value(spec_.timeout.count() / 1000)
                                                          : json::value(double(spec_.timeout.count()) / 1000)},
      {"autoscaler", json::object{{"policy", std::string(autoscale::policy_kind_name(spec_.scaling.kind))},
                                  {"parameters", policy_->describe()},
                                  {"desired", last_decision_.desired_pods},
                                  {"inPanic", last_decision_.in_panic},
                                  {"reason", last_decision_.reason}}},
      {"warnings", warnings},
      // Knative's revision conditions, in short: Ready, with the reason it is not.
      {"conditions",
       json::array{json::object{
           {"type", "Ready"},
           {"status", ready_replicas() > 0 ? "True" : failure_ ? "False" : "Unknown"},
           {"reason", ready_replicas() > 0 ? "" : failure_ ? failure_->reason : pending_ > 0 ? "Unschedulable"
                                                             : desired_ == 0 ? (routed_ ? "NoTraffic" : "Unreachable") : "Deploying"},
           {"message", ready_replicas() > 0 ? "" : failure_ ? failure_->message : ""}}}},
      {"replicaDetails", reps}};
}

void FunctionRuntime::scrape_targets(json::array& out) const {
  for (auto& [id, r] : replicas_.all()) {
    if (r.state != ReplicaState::ready && r.state != ReplicaState::draining) continue;
    out.push_back(json::object{{"targets", json::array{json::string(fmt::format("127.0.0.1:{}", r.port))}},
                               {"labels", json::object{{"function_name", spec_.name},
                                                       {"namespace", spec_.namespace_},
                                                       {"revision", spec_.revision_name},
                                                       {"replica", std::to_string(id)}}}});
  }
}

}  // namespace mlfaas::platform
