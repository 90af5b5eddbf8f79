#include "platform/service.h"

#include <fmt/format.h>

#include <set>

#include "common/log.h"
#include "platform/revision_name.h"

namespace mlfaas::platform {

namespace json = boost::json;

Service::Service(ServiceContext ctx, FunctionSpec spec, int generation) : ctx_(ctx), name_(spec.name) {
  auto traffic = spec.traffic.value_or(default_traffic());
  const std::string first = spec.revision_name.empty() ? revision_name(name_, generation) : spec.revision_name;
  check_traffic(traffic, "spec.traffic", first);
  add_revision(std::move(spec), generation);
  traffic_ = std::move(traffic);
  update_route();
}

Service::~Service() = default;

FunctionRuntime& Service::add_revision(FunctionSpec spec, int generation) {
  if (spec.revision_name.empty()) spec.revision_name = revision_name(name_, generation);
  generation_ = std::max(generation_, generation);
  auto rt = std::make_unique<FunctionRuntime>(ctx_.ioc, ctx_.reaper, ctx_.client, ctx_.metrics, ctx_.node, *shared_,
                                              std::move(spec), ctx_.runtime);
  rt->on_first_ready = [this] { update_route(); };
  revisions_.push_back(RevisionInfo{generation, std::move(rt)});
  return *revisions_.back().runtime;
}

FunctionRuntime* Service::revision(const std::string& name) {
  for (auto& r : revisions_)
    if (r.runtime->revision() == name) return r.runtime.get();
  return nullptr;
}

void Service::check_traffic(const std::vector<TrafficTarget>& traffic, const std::string& field,
                            const std::string& new_revision) const {
  validate_traffic(traffic, field);
  for (size_t i = 0; i < traffic.size(); ++i) {
    const auto& t = traffic[i];
    if (t.latest_revision || t.revision_name == new_revision) continue;
    bool found = false;
    for (auto& r : revisions_) found = found || r.runtime->revision() == t.revision_name;
    if (!found) {
      std::string names;
      for (auto& r : revisions_) names += (names.empty() ? "" : ", ") + r.runtime->revision();
      if (!new_revision.empty()) names += (names.empty() ? "" : ", ") + new_revision;
      throw SpecError(fmt::format("service '{}': {}[{}].revisionName: revision '{}' does not exist (revisions: {})",
                                  name_, field, i, t.revision_name, names));
    }
  }
}

std::string Service::apply(FunctionSpec spec) {
  auto traffic = spec.traffic.value_or(default_traffic());
  const bool changed = spec.template_key != latest().spec().template_key ||
                       (!spec.revision_name.empty() && spec.revision_name != latest().revision());
  if (!changed) {
    check_traffic(traffic, "spec.traffic", "");
    traffic_ = std::move(traffic);
    update_route();
    return "";
  }
  const int gen = generation_ + 1;
  const std::string name = spec.revision_name.empty() ? revision_name(name_, gen) : spec.revision_name;
  if (revision(name))
    throw SpecError(fmt::format("service '{}': spec.template.metadata.name: revision '{}' already exists with another "
                                "template (revisions are immutable: name the new one differently, or leave the name out)",
                                name_, name));
  check_traffic(traffic, "spec.traffic", name);
  spec.revision_name = name;
  add_revision(std::move(spec), gen);
  traffic_ = std::move(traffic);
  update_route();
  collect_garbage();
  return name;
}

void Service::set_traffic(std::vector<TrafficTarget> traffic) {
  check_traffic(traffic, "traffic", "");
  traffic_ = std::move(traffic);
  update_route();
}

void Service::restore_revision(FunctionSpec spec, int generation, bool was_ready) {
  auto& rt = add_revision(std::move(spec), generation);
  if (was_ready) rt.assume_ready();
}

void Service::restore_traffic(std::vector<TrafficTarget> traffic) {
  try {
    check_traffic(traffic, "traffic", "");
    traffic_ = std::move(traffic);
  } catch (const SpecError& e) {
    log::warn("function {}: the saved traffic is not valid any more ({}); all traffic goes to the latest revision",
              name_, e.what());
    traffic_ = default_traffic();
  }
  latest_ready_ = latest_ready_name();  // as it was: no rollout after a restart
  rollout_.reset();
  update_route();
}

std::string Service::latest_ready_name() const {
  for (auto it = revisions_.rbegin(); it != revisions_.rend(); ++it)
    if (it->runtime->ever_ready()) return it->runtime->revision();
  return revisions_.empty() ? "" : revisions_.back().runtime->revision();
}

void Service::update_route() {
  const auto now = TrafficClock::now();
  const std::string ready = latest_ready_name();
  if (ready != latest_ready_) {
    const auto duration = latest().spec().rollout_duration;
    const bool from_exists = !latest_ready_.empty() && revision(latest_ready_) && revision(latest_ready_)->ever_ready();
    if (duration.count() > 0 && from_exists) {
      rollout_ = Rollout{latest_ready_, ready, now, duration};
      log::info("function {}: rolling out {} over {} ms", name_, ready, duration.count());
    } else {
      rollout_.reset();
    }
    latest_ready_ = ready;
  }
  if (rollout_ && rollout_->done(now)) rollout_.reset();
  route_ = resolve_traffic(traffic_, latest_ready_, rollout_, now);
  std::set<std::string> routed;
  for (auto& [rev, w] : route_.weights) routed.insert(rev);
  for (auto& [tag, rev] : route_.tags) routed.insert(rev);
  // The newest revision must come up to become ready, whatever the traffic says (Knative's
  // initial scale); one that never became ready and was superseded gets nothing.
  if (!latest().ever_ready()) routed.insert(latest().revision());
  for (auto& r : revisions_) r.runtime->set_routed(routed.count(r.runtime->revision()) > 0);
}

void Service::collect_garbage() {
  std::set<std::string> keep;
  for (auto& t : traffic_)
    if (!t.revision_name.empty()) keep.insert(t.revision_name);
  keep.insert(latest_ready_);
  keep.insert(latest().revision());
  if (rollout_) keep.insert(rollout_->from);
  int unrouted = 0;
  for (auto& r : revisions_) unrouted += !keep.count(r.runtime->revision());
  for (auto it = revisions_.begin(); it != revisions_.end() && unrouted > ctx_.keep_revisions;) {
    if (keep.count(it->runtime->revision())) {
      ++it;
      continue;
    }
    log::info("function {}: revision {} garbage-collected (more than {} unrouted revisions)", name_,
              it->runtime->revision(), ctx_.keep_revisions);
    it->runtime->stop_all();
    retired_.push_back(std::move(it->runtime));
    it = revisions_.erase(it);
    --unrouted;
  }
}

FunctionRuntime* Service::pick(const std::string& tag) {
  if (!tag.empty()) {
    auto it = route_.tags.find(tag);
    return it == route_.tags.end() ? nullptr : revision(it->second);
  }
  if (rollout_) route_ = resolve_traffic(traffic_, latest_ready_, rollout_, TrafficClock::now());
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const std::string& rev = pick_revision(route_, u(rng_));
  auto* rt = rev.empty() ? nullptr : revision(rev);
  return rt ? rt : &latest();
}

void Service::tick() {
  for (auto& r : revisions_) r.runtime->tick();
  update_route();
  collect_garbage();
}

void Service::scale_to(int replicas) {
  auto* rt = revision(latest_ready_);
  (rt ? rt : &latest())->scale_to(replicas);
}

void Service::stop_all() {
  for (auto& r : revisions_) r.runtime->stop_all();
}

bool Service::all_stopped() const {
  for (auto& r : revisions_)
    if (!r.runtime->all_stopped()) return false;
  return true;
}

bool Service::idle() const {
  for (auto& r : revisions_)
    if (!r.runtime->idle()) return false;
  return true;
}

std::vector<std::unique_ptr<FunctionRuntime>> Service::take_retired() { return std::exchange(retired_, {}); }

}  // namespace mlfaas::platform
