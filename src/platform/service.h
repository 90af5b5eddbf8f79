#pragma once
// A deployed function as a Knative Service: its immutable revisions (one FunctionRuntime each), its
// traffic block, and the revision each request goes to (the decisions are traffic.h's). A change
// of the template makes a new revision; `latestRevision` follows the newest one that became ready,
// so the old one serves until the new one can (and, with a rollout duration, hands over gradually).
// Revisions no target routes to scale to zero; the oldest unrouted ones are garbage-collected.
// Runs on the platform's single I/O thread.
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "platform/function_runtime.h"
#include "platform/traffic.h"

namespace mlfaas::platform {

struct ServiceContext {
  boost::asio::io_context& ioc;
  ChildReaper& reaper;
  http::Client& client;
  PlatformMetrics& metrics;
  NodeCapacity& node;
  RuntimeOptions runtime;
  int keep_revisions = 10;  // unrouted revisions kept besides the routed ones (Knative GC keeps 20)
};

struct RevisionInfo {
  int generation = 0;
  std::unique_ptr<FunctionRuntime> runtime;
};

class Service {
 public:
  // Creates the first revision. Throws SpecError (e.g. traffic naming a revision that does not exist).
  Service(ServiceContext ctx, FunctionSpec spec, int generation = 1);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const std::string& name() const { return name_; }
  const std::string& namespace_() const { return latest().spec().namespace_; }
  // The newest revision's spec (what the function "is" now).
  const FunctionSpec& spec() const { return latest().spec(); }

  // A new version of the spec: a new revision if its template changed, and its traffic block.
  // Returns the new revision's name, or "" when the template is unchanged. Throws SpecError
  // without changing anything.
  std::string apply(FunctionSpec spec);
  // `mlfaas traffic`: replaces the traffic block. Throws SpecError (validation, unknown revision).
  void set_traffic(std::vector<TrafficTarget> traffic);
  const std::vector<TrafficTarget>& traffic() const { return traffic_; }
  // After a restart: a revision as it was (its generation, whether it had become ready). Call in
  // generation order, then restore_traffic().
  void restore_revision(FunctionSpec spec, int generation, bool was_ready);
  void restore_traffic(std::vector<TrafficTarget> traffic);

  // The revision for a request: by `tag` if given (nullptr if no such tag), else by weight.
  FunctionRuntime* pick(const std::string& tag = "");
  bool has_tag(const std::string& tag) const { return route_.tags.count(tag) > 0; }
  FunctionRuntime* revision(const std::string& name);

  void tick();
  // Sets the replicas of the revision the latest traffic goes to (system API / `mlfaas scale`).
  void scale_to(int replicas);
  void stop_all();
  bool all_stopped() const;
  bool idle() const;
  // Revisions garbage-collected since the last call: the caller keeps them until they have stopped.
  std::vector<std::unique_ptr<FunctionRuntime>> take_retired();

  boost::json::object status_json() const;
  boost::json::array revisions_json() const;
  void scrape_targets(boost::json::array& out) const {
    for (auto& r : revisions_) r.runtime->scrape_targets(out);
  }
  std::vector<LogLine> logs(uint64_t after_seq, size_t max) const { return shared_->logs.since(after_seq, max); }
  // What a restart needs: every revision's spec text and generation, the traffic, the latest ready.
  boost::json::object to_state() const;
  int generation() const { return generation_; }
  // The spec text `mlfaas up --specs` last applied to this function: at the next start an unchanged
  // file is not applied again, so what the API changed since (revisions, traffic) is kept.
  const std::string& boot_text() const { return boot_text_; }
  void set_boot_text(std::string text) { boot_text_ = std::move(text); }
  std::string latest_ready_name() const;

 private:
  FunctionRuntime& latest() const { return *revisions_.back().runtime; }
  FunctionRuntime& add_revision(FunctionSpec spec, int generation);
  // Recomputes the route (latest ready, rollout) and tells each revision whether it is routed.
  void update_route();
  // Validates `traffic` and checks that every named revision exists (or is `new_revision`, being created).
  void check_traffic(const std::vector<TrafficTarget>& traffic, const std::string& field,
                     const std::string& new_revision) const;
  void collect_garbage();

  ServiceContext ctx_;
  std::string name_;
  std::unique_ptr<FunctionShared> shared_ = std::make_unique<FunctionShared>();
  std::vector<RevisionInfo> revisions_;  // oldest first
  int generation_ = 0;
  std::vector<TrafficTarget> traffic_ = default_traffic();
  std::string latest_ready_;  // the revision latestRevision targets resolve to
  std::optional<Rollout> rollout_;
  Route route_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::vector<std::unique_ptr<FunctionRuntime>> retired_;
  std::string boot_text_;
};

}  // namespace mlfaas::platform
