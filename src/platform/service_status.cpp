// Service's status as JSON: the newest revision's status (OpenFaaS FunctionStatus fields first, as
// faas-cli reads them) with the counts summed over every revision, then Knative's view: the latest
// created and ready revisions, the traffic with each tag's host, and one entry per revision.
#include <fmt/format.h>

#include "platform/service.h"

namespace mlfaas::platform {

namespace json = boost::json;

json::array Service::revisions_json() const {
  json::array out;
  for (auto it = revisions_.rbegin(); it != revisions_.rend(); ++it) {
    const auto& rt = *it->runtime;
    auto s = rt.status_json();
    double percent = 0;
    for (auto& [rev, w] : route_.weights)
      if (rev == rt.revision()) percent = w;
    json::array tags;
    for (auto& [tag, rev] : route_.tags)
      if (rev == rt.revision()) tags.push_back(json::string(tag));
    out.push_back(json::object{{"name", rt.revision()},
                               {"generation", it->generation},
                               {"percent", percent},
                               {"tags", tags},
                               {"routed", rt.routed()},
                               {"ready", rt.ever_ready()},
                               {"desiredReplicas", s.at("desiredReplicas")},
                               {"readyReplicas", s.at("readyReplicas")},
                               {"invocationCount", s.at("invocationCount")},
                               {"coldStarts", s.at("coldStarts")},
                               {"conditions", s.at("conditions")},
                               {"command", s.at("command")}});
  }
  return out;
}

json::object Service::status_json() const {
  json::object s = latest().status_json();
  static const char* sums[] = {"replicas",     "availableReplicas", "invocationCount", "desiredReplicas",
                               "readyReplicas", "startingReplicas", "pendingReplicas", "queueDepth",
                               "inFlight",      "coldStarts",       "restarts"};
  if (revisions_.size() > 1) {
    json::array details;
    for (auto& key : sums) s[key] = 0;
    for (auto& r : revisions_) {
      auto rs = r.runtime->status_json();
      for (auto& key : sums) s[key] = s[key].to_number<int64_t>() + rs.at(key).to_number<int64_t>();
      for (auto& d : rs.at("replicaDetails").as_array()) details.push_back(d);
    }
    s["replicaDetails"] = std::move(details);
  }
  s["latestCreatedRevisionName"] = latest().revision();
  s["latestReadyRevisionName"] = latest_ready_;
  json::array traffic;
  for (auto& t : traffic_) {
    json::object o;
    if (!t.tag.empty()) o["tag"] = t.tag;
    o["revisionName"] = t.latest_revision ? latest_ready_ : t.revision_name;
    if (t.latest_revision) o["latestRevision"] = true;
    o["percent"] = t.percent;
    if (!t.tag.empty()) o["host"] = fmt::format("{}-{}.{}", t.tag, name_, namespace_());
    traffic.push_back(std::move(o));
  }
  s["traffic"] = std::move(traffic);
  if (rollout_)
    s["rollout"] = json::object{{"from", rollout_->from},
                                {"to", rollout_->to},
                                {"progress", rollout_->progress(TrafficClock::now())},
                                {"durationSeconds", double(rollout_->duration.count()) / 1000}};
  s["revisions"] = revisions_json();
  return s;
}

json::object Service::to_state() const {
  json::array revs;
  for (auto& r : revisions_) {
    const auto& sp = r.runtime->spec();
    revs.push_back(json::object{{"name", r.runtime->revision()},
                                {"generation", r.generation},
                                {"ready", r.runtime->ever_ready()},
                                {"format", sp.format},
                                {"source", sp.source},
                                {"text", sp.text}});
  }
  return json::object{{"name", name_},
                      {"traffic", traffic_to_json(traffic_)},
                      {"bootText", boot_text_},
                      {"revisions", std::move(revs)}};
}

}  // namespace mlfaas::platform
