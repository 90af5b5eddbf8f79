#include "platform/traffic.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "platform/function_spec.h"

namespace mlfaas::platform {

namespace json = boost::json;

std::vector<TrafficTarget> default_traffic() { return {TrafficTarget{"", true, 100, ""}}; }

namespace {

// A tag becomes the first label of a host name: a DNS label, and short enough to leave room.
bool valid_tag(const std::string& t) {
  if (t.empty() || t.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(t.front())) || !std::isalnum(static_cast<unsigned char>(t.back())))
    return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

void validate_traffic(const std::vector<TrafficTarget>& targets, const std::string& field) {
  auto fail = [&](size_t i, const std::string& sub, const std::string& msg) {
    throw SpecError(fmt::format("{}[{}].{}: {}", field, i, sub, msg));
  };
  if (targets.empty()) throw SpecError(field + ": needs at least one target");
  int sum = 0;
  std::set<std::string> tags;
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    if (t.latest_revision && !t.revision_name.empty())
      fail(i, "latestRevision", "may not set revisionName when latestRevision is true");
    if (!t.latest_revision && t.revision_name.empty())
      fail(i, "revisionName", "expected exactly one, got neither: revisionName or latestRevision: true");
    if (t.percent < 0 || t.percent > 100) fail(i, "percent", fmt::format("expected 0 <= {} <= 100", t.percent));
    if (!t.tag.empty()) {
      if (!valid_tag(t.tag))
        fail(i, "tag", fmt::format("'{}' is not a DNS label (lower-case letters, digits and '-')", t.tag));
      if (!tags.insert(t.tag).second) fail(i, "tag", fmt::format("Multiple definitions for \"{}\"", t.tag));
    }
    sum += t.percent;
  }
  if (sum != 100) throw SpecError(fmt::format("{}: Traffic targets sum to {}, want 100", field, sum));
}

json::array traffic_to_json(const std::vector<TrafficTarget>& targets) {
  json::array a;
  for (auto& t : targets) {
    json::object o;
    if (!t.tag.empty()) o["tag"] = t.tag;
    if (t.latest_revision) o["latestRevision"] = true;
    else o["revisionName"] = t.revision_name;
    o["percent"] = t.percent;
    a.push_back(std::move(o));
  }
  return a;
}

std::vector<TrafficTarget> traffic_from_json(const json::value& v, const std::string& field) {
  if (!v.is_array()) throw SpecError(field + ": expected a list of traffic targets");
  std::vector<TrafficTarget> out;
  const auto& a = v.as_array();
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string f = fmt::format("{}[{}]", field, i);
    if (!a[i].is_object()) throw SpecError(f + ": expected an object");
    const auto& o = a[i].as_object();
    TrafficTarget t;
    for (auto& [k, val] : o) {
      if (k == "revisionName" && val.is_string()) t.revision_name = std::string(val.as_string());
      else if (k == "latestRevision" && val.is_bool()) t.latest_revision = val.as_bool();
      else if (k == "percent" && val.is_int64()) t.percent = int(std::clamp<int64_t>(val.as_int64(), -1, 101));
      else if (k == "percent" && val.is_uint64()) t.percent = 101;
      else if (k == "tag" && val.is_string()) t.tag = std::string(val.as_string());
      else if (k == "url") continue;  // what status shows; harmless on the way back
      else throw SpecError(fmt::format("{}.{}: unknown field or wrong type", f, std::string(k)));
    }
    out.push_back(std::move(t));
  }
  return out;
}

double Rollout::progress(TrafficClock::time_point now) const {
  if (duration.count() <= 0 || now >= start + duration) return 1.0;
  if (now <= start) return 0.0;
  return std::chrono::duration<double>(now - start) / std::chrono::duration<double>(duration);
}

double Route::total() const {
  double s = 0;
  for (auto& [r, w] : weights) s += w;
  return s;
}

Route resolve_traffic(const std::vector<TrafficTarget>& targets, const std::string& latest_ready,
                      const std::optional<Rollout>& rollout, TrafficClock::time_point now) {
  std::map<std::string, double> w;
  Route route;
  for (auto& t : targets) {
    const std::string& rev = t.latest_revision ? latest_ready : t.revision_name;
    if (rev.empty()) continue;
    if (!t.tag.empty()) route.tags[t.tag] = rev;
    if (t.percent <= 0) continue;
    if (t.latest_revision && rollout && rollout->to == latest_ready && !rollout->done(now) && !rollout->from.empty()) {
      const double p = rollout->progress(now);
      w[rollout->from] += t.percent * (1 - p);
      w[rollout->to] += t.percent * p;
    } else {
      w[rev] += t.percent;
    }
  }
  for (auto& [r, x] : w)
    if (x > 0) route.weights.emplace_back(r, x);
  return route;
}

const std::string& pick_revision(const Route& route, double u) {
  static const std::string none;
  const double total = route.total();
  if (route.weights.empty() || total <= 0) return none;
  double x = u * total;
  for (auto& [rev, w] : route.weights) {
    if (x < w) return rev;
    x -= w;
  }
  return route.weights.back().first;  // u*total rounding up to total
}

std::vector<TrafficTarget> apply_traffic_edit(std::vector<TrafficTarget> current, const TrafficEdit& edit) {
  auto matches = [](const TrafficTarget& t, const std::string& rev) {
    return rev == "@latest" ? t.latest_revision : (!t.latest_revision && t.revision_name == rev);
  };
  auto make = [](const std::string& rev) {
    TrafficTarget t;
    if (rev == "@latest") t.latest_revision = true;
    else t.revision_name = rev;
    return t;
  };
  if (!edit.percents.empty()) {
    std::vector<TrafficTarget> next;
    // Every named revision gets its percent (on its untagged target, or a new one); tagged targets
    // stay, at 0% unless named.
    for (auto& t : current)
      if (!t.tag.empty()) next.push_back(TrafficTarget{t.revision_name, t.latest_revision, 0, t.tag});
    for (auto& entry : edit.percents) {
      const std::string& rev = entry.first;  // (not a structured binding: clang 14 cannot capture one)
      const int pct = entry.second;
      auto it = std::find_if(next.begin(), next.end(), [&](const TrafficTarget& t) { return matches(t, rev) && t.percent == 0; });
      if (it != next.end()) it->percent = pct;
      else {
        auto t = make(rev);
        t.percent = pct;
        next.push_back(t);
      }
    }
    current = std::move(next);
  }
  for (auto& tag : edit.untag)
    for (auto& t : current)
      if (t.tag == tag) t.tag.clear();
  for (auto& entry : edit.tags) {
    const std::string& rev = entry.first;
    const std::string& tag = entry.second;
    for (auto& t : current)
      if (t.tag == tag) t.tag.clear();  // a tag moves, it is never defined twice
    auto it = std::find_if(current.begin(), current.end(), [&](const TrafficTarget& t) { return matches(t, rev) && t.tag.empty(); });
    if (it != current.end()) it->tag = tag;
    else {
      auto t = make(rev);
      t.tag = tag;
      current.push_back(t);
    }
  }
  std::erase_if(current, [](const TrafficTarget& t) { return t.percent == 0 && t.tag.empty(); });
  return current;
}

}  // namespace mlfaas::platform
