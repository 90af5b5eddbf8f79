#pragma once
// Knative's spec.traffic, as pure decisions: validation (the rules and messages of Knative's
// TrafficTarget validation), resolution of `latestRevision` to a revision, a gradual rollout of the
// latest revision (serving.knative.dev/rollout-duration), the weighted choice of a revision per
// request, and the `kn service update --traffic/--tag/--untag` edit. No I/O, no clock of its own.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace mlfaas::platform {

struct TrafficTarget {
  std::string revision_name;     // empty with latest_revision
  bool latest_revision = false;  // follows the newest revision that has become ready
  int percent = 0;               // an omitted percent is 0, as in Knative
  std::string tag;               // its own route: {tag}-{name}.{namespace}.{domain}
};

// The default when a spec has no traffic block: everything to the latest ready revision.
std::vector<TrafficTarget> default_traffic();

// Knative's rules: exactly one of revisionName / latestRevision: true per target, percent in
// [0, 100], percents summing to 100, tags unique DNS labels. Throws SpecError naming the field,
// e.g. "spec.traffic[1].percent: ...". `field` is the list's path ("spec.traffic").
void validate_traffic(const std::vector<TrafficTarget>& targets, const std::string& field);

// The Knative JSON shape ({"revisionName", "latestRevision", "percent", "tag"}), both ways.
boost::json::array traffic_to_json(const std::vector<TrafficTarget>& targets);
std::vector<TrafficTarget> traffic_from_json(const boost::json::value& v, const std::string& field);

using TrafficClock = std::chrono::steady_clock;

// The latest revision is moving from `from` to `to`: `to` gets a share growing linearly from 0 to
// all of the latest-revision traffic over `duration` (Knative moves it in steps; the end is the same).
struct Rollout {
  std::string from, to;
  TrafficClock::time_point start;
  std::chrono::milliseconds duration{0};
  bool done(TrafficClock::time_point now) const { return now >= start + duration; }
  double progress(TrafficClock::time_point now) const;  // 0..1
};

// Where requests go now: percent per revision (only > 0 entries), and each tag's revision.
struct Route {
  std::vector<std::pair<std::string, double>> weights;  // sorted by revision name
  std::map<std::string, std::string> tags;
  double total() const;
};

// `latest_ready` is what `latestRevision: true` means now (the newest revision that became ready,
// else the newest created, so that a first revision's requests wait for its cold start).
Route resolve_traffic(const std::vector<TrafficTarget>& targets, const std::string& latest_ready,
                      const std::optional<Rollout>& rollout, TrafficClock::time_point now);

// The revision for a request given a uniform `u` in [0, 1). Empty if the route has no weight.
const std::string& pick_revision(const Route& route, double u);

// `kn service update NAME --traffic REV=PCT ... --tag REV=TAG ... --untag TAG ...`: `@latest` names
// the latest revision. Percents given replace every percent (targets not named get 0); tags are
// added to (or create) the target of their revision; untag removes a tag; targets left with 0% and
// no tag are dropped. The result is validated by the caller.
struct TrafficEdit {
  std::vector<std::pair<std::string, int>> percents;     // revision or "@latest" -> percent
  std::vector<std::pair<std::string, std::string>> tags;  // revision or "@latest" -> tag
  std::vector<std::string> untag;
};
std::vector<TrafficTarget> apply_traffic_edit(std::vector<TrafficTarget> current, const TrafficEdit& edit);

}  // namespace mlfaas::platform
