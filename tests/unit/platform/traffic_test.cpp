// Knative's traffic rules, resolution, rollout, the weighted choice and `kn`'s traffic edit.
#include "platform/traffic.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <random>

#include "platform/function_spec.h"
#include "platform/revision_name.h"

namespace mlfaas::platform {
namespace {

TrafficTarget rev(std::string name, int pct, std::string tag = "") { return {std::move(name), false, pct, std::move(tag)}; }
TrafficTarget latest(int pct, std::string tag = "") { return {"", true, pct, std::move(tag)}; }

std::string error_of(const std::vector<TrafficTarget>& t) {
  try {
    validate_traffic(t, "spec.traffic");
  } catch (const SpecError& e) {
    return e.what();
  }
  return "";
}

TEST(TrafficValidation, AcceptsTheStudysSplit) {
  EXPECT_EQ(error_of({rev("react-example-first", 10, "current"), rev("react-example-second", 90, "new"), latest(0, "latest")}), "");
  EXPECT_EQ(error_of(default_traffic()), "");
}

TEST(TrafficValidation, PercentsMustSumTo100) {
  EXPECT_EQ(error_of({rev("a-1", 50), latest(40)}), "spec.traffic: Traffic targets sum to 90, want 100");
  EXPECT_EQ(error_of({rev("a-1", 60), latest(60)}), "spec.traffic: Traffic targets sum to 120, want 100");
}

TEST(TrafficValidation, NamesTheFieldOfEachMistake) {
  EXPECT_EQ(error_of({TrafficTarget{"a-1", true, 100, ""}}),
            "spec.traffic[0].latestRevision: may not set revisionName when latestRevision is true");
  EXPECT_EQ(error_of({latest(100), TrafficTarget{"", false, 0, ""}}),
            "spec.traffic[1].revisionName: expected exactly one, got neither: revisionName or latestRevision: true");
  EXPECT_EQ(error_of({latest(101)}), "spec.traffic[0].percent: expected 0 <= 101 <= 100");
  EXPECT_EQ(error_of({latest(-1), rev("a-1", 101)}), "spec.traffic[0].percent: expected 0 <= -1 <= 100");
  EXPECT_EQ(error_of({latest(50, "x"), rev("a-1", 50, "x")}), "spec.traffic[1].tag: Multiple definitions for \"x\"");
  EXPECT_EQ(error_of({latest(100, "Bad_Tag")}),
            "spec.traffic[0].tag: 'Bad_Tag' is not a DNS label (lower-case letters, digits and '-')");
  EXPECT_EQ(error_of({}), "spec.traffic: needs at least one target");
}

TEST(TrafficJson, RoundTripsAndRefusesUnknownFields) {
  std::vector<TrafficTarget> t = {rev("a-00001", 80, "stable"), latest(20, "canary")};
  auto back = traffic_from_json(traffic_to_json(t), "traffic");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].revision_name, "a-00001");
  EXPECT_EQ(back[0].percent, 80);
  EXPECT_EQ(back[0].tag, "stable");
  EXPECT_TRUE(back[1].latest_revision);
  EXPECT_THROW(traffic_from_json(boost::json::parse(R"([{"percent": 100, "weight": 1}])"), "traffic"), SpecError);
  EXPECT_THROW(traffic_from_json(boost::json::parse(R"({"percent": 100})"), "traffic"), SpecError);
  EXPECT_THROW(traffic_from_json(boost::json::parse(R"([{"percent": "100"}])"), "traffic"), SpecError);
  // A percent beyond int range is out of bounds, not wrapped.
  auto big = traffic_from_json(boost::json::parse(R"([{"latestRevision": true, "percent": 99999999999}])"), "t");
  EXPECT_NE(error_of(big), "");
}

TEST(TrafficResolve, LatestFollowsTheLatestReadyAndTagsMapToRevisions) {
  auto now = TrafficClock::now();
  auto r = resolve_traffic({rev("a-00001", 10, "current"), rev("a-00002", 90, "new"), latest(0, "latest")}, "a-00002",
                           std::nullopt, now);
  ASSERT_EQ(r.weights.size(), 2u);
  EXPECT_EQ(r.weights[0], (std::pair<std::string, double>{"a-00001", 10}));
  EXPECT_EQ(r.weights[1], (std::pair<std::string, double>{"a-00002", 90}));
  EXPECT_EQ(r.tags.at("current"), "a-00001");
  EXPECT_EQ(r.tags.at("new"), "a-00002");
  EXPECT_EQ(r.tags.at("latest"), "a-00002");
}

TEST(TrafficResolve, SameRevisionTwiceAddsUp) {
  auto r = resolve_traffic({rev("a-00002", 30), latest(70)}, "a-00002", std::nullopt, TrafficClock::now());
  ASSERT_EQ(r.weights.size(), 1u);
  EXPECT_DOUBLE_EQ(r.weights[0].second, 100);
}

TEST(TrafficRollout, MovesTheLatestShareLinearly) {
  const auto t0 = TrafficClock::time_point{} + std::chrono::hours(1);
  Rollout ro{"a-00001", "a-00002", t0, std::chrono::seconds(100)};
  auto at = [&](int s) {
    std::map<std::string, double> m;
    for (auto& [k, v] : resolve_traffic({rev("a-00009", 20), latest(80)}, "a-00002", ro, t0 + std::chrono::seconds(s)).weights)
      m[k] = v;
    return m;
  };
  EXPECT_DOUBLE_EQ(at(0)["a-00001"], 80);
  EXPECT_DOUBLE_EQ(at(0)["a-00002"], 0);
  EXPECT_DOUBLE_EQ(at(25)["a-00001"], 60);
  EXPECT_DOUBLE_EQ(at(25)["a-00002"], 20);
  EXPECT_DOUBLE_EQ(at(25)["a-00009"], 20);
  EXPECT_EQ(at(100).count("a-00001"), 0u);
  EXPECT_DOUBLE_EQ(at(100)["a-00002"], 80);
  EXPECT_DOUBLE_EQ(ro.progress(t0 - std::chrono::seconds(5)), 0);
  EXPECT_TRUE(ro.done(t0 + std::chrono::seconds(100)));
}

TEST(TrafficPick, FollowsTheWeightsExactlyOverTheUnitInterval) {
  Route r;
  r.weights = {{"a", 80}, {"b", 20}};
  EXPECT_EQ(pick_revision(r, 0.0), "a");
  EXPECT_EQ(pick_revision(r, 0.7999), "a");
  EXPECT_EQ(pick_revision(r, 0.8), "b");
  EXPECT_EQ(pick_revision(r, 0.999999), "b");
  EXPECT_EQ(pick_revision(Route{}, 0.5), "");
}

TEST(TrafficPick, ASeededSplitLandsWithinAPoint) {
  Route r;
  r.weights = {{"a", 80}, {"b", 20}};
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  int a = 0;
  for (int i = 0; i < 100'000; ++i) a += pick_revision(r, u(rng)) == "a";
  EXPECT_NEAR(a / 1000.0, 80.0, 1.0);
}

TEST(TrafficEditTest, PercentsReplaceAndTagsStay) {
  std::vector<TrafficTarget> cur = {rev("a-00001", 100, "stable")};
  auto next = apply_traffic_edit(cur, TrafficEdit{{{"a-00001", 80}, {"@latest", 20}}, {}, {}});
  EXPECT_EQ(error_of(next), "");
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].revision_name, "a-00001");
  EXPECT_EQ(next[0].percent, 80);
  EXPECT_EQ(next[0].tag, "stable");
  EXPECT_TRUE(next[1].latest_revision);
  EXPECT_EQ(next[1].percent, 20);
}

TEST(TrafficEditTest, TagMovesUntagDropsEmptyTargets) {
  std::vector<TrafficTarget> cur = {rev("a-00001", 0, "canary"), latest(100)};
  auto next = apply_traffic_edit(cur, TrafficEdit{{}, {{"a-00002", "canary"}}, {}});
  ASSERT_EQ(next.size(), 2u);  // the 0% a-00001 target lost its tag and went away
  EXPECT_TRUE(next[0].latest_revision);
  EXPECT_EQ(next[1].revision_name, "a-00002");
  EXPECT_EQ(next[1].tag, "canary");
  auto untagged = apply_traffic_edit(next, TrafficEdit{{}, {}, {"canary"}});
  ASSERT_EQ(untagged.size(), 1u);
  EXPECT_EQ(error_of(untagged), "");
}

TEST(TrafficEditTest, RollbackIsATrafficChange) {
  std::vector<TrafficTarget> cur = default_traffic();
  auto next = apply_traffic_edit(cur, TrafficEdit{{{"a-00001", 100}}, {}, {}});
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].revision_name, "a-00001");
  EXPECT_EQ(next[0].percent, 100);
}

TEST(RevisionName, KnativesFormatAndChosenNames) {
  EXPECT_EQ(revision_name("react-example", 1), "react-example-00001");
  EXPECT_EQ(revision_name("f", 123456), "f-123456");
  EXPECT_NO_THROW(validate_revision_name("react-example", "react-example-first", "f"));
  EXPECT_THROW(validate_revision_name("react-example", "first", "f"), SpecError);
  EXPECT_THROW(validate_revision_name("react-example", "react-example-", "f"), SpecError);
  EXPECT_THROW(validate_revision_name("react-example", "react-example-Bad", "f"), SpecError);
}

}  // namespace
}  // namespace mlfaas::platform
