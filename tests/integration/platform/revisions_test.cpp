// Revisions and traffic with real processes: every template change is a new revision with its own
// replicas; Knative's spec.traffic splits requests by weight, tags get their own host, rollback is
// a traffic change, unrouted revisions scale to zero, and all of it survives a restart.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "platform_fixture.h"
#include "support/paths.h"

using namespace mlfaas::test;

namespace {

// A Knative Service running mlfaas-hello; `version` goes into the env (a template change).
std::string versioned(const std::string& name, int version, const std::string& traffic = "",
                      const std::string& revision_name = "") {
  std::string y = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: " + name +
                  "\nspec:\n  template:\n    metadata:\n";
  if (!revision_name.empty()) y += "      name: " + revision_name + "\n";
  y += "      annotations:\n        autoscaling.knative.dev/min-scale: \"1\"\n"
       "    spec:\n      containers:\n        - image: example/hello\n          command: [\"" +
       hello_exe() + "\"]\n          env:\n            - name: VERSION\n              value: \"" +
       std::to_string(version) + "\"\n";
  if (!traffic.empty()) y += "  traffic:\n" + traffic;
  return y;
}

HttpResult deploy(const Platform& p, const std::string& yaml, const char* method = "PUT") {
  return p.call(method, "/system/functions", yaml);
}

// The revision that answered each of `n` requests.
std::map<std::string, int> answered_by(const Platform& p, const std::string& target, int n, const Headers& h = {}) {
  std::map<std::string, int> by;
  for (int i = 0; i < n; ++i) {
    auto r = p.call("GET", target, "", h);
    by[r.status == 200 ? r.header("x-mlfaas-revision") : "status " + std::to_string(r.status)]++;
  }
  return by;
}

bool revision_ready(const Platform& p, const std::string& fn, const std::string& rev) {
  const auto st = p.status(fn);
  for (auto& r : st.at("revisions").as_array())
    if (r.at("name").as_string() == rev) return r.at("readyReplicas").to_number<int64_t>() > 0;
  return false;
}

int64_t revision_desired(const Platform& p, const std::string& fn, const std::string& rev) {
  const auto st = p.status(fn);
  for (auto& r : st.at("revisions").as_array())
    if (r.at("name").as_string() == rev) return r.at("desiredReplicas").to_number<int64_t>();
  return -1;
}

TEST(Revisions, ATemplateChangeIsANewRevisionAndTheOldOneScalesToZero) {
  auto p = start_platform(versioned("web", 1));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("web") == 1; }, std::chrono::seconds(10)));
  EXPECT_EQ(answered_by(*p, "/function/web/", 5), (std::map<std::string, int>{{"web-00001", 5}}));

  // The same template again: no new revision.
  auto same = deploy(*p, versioned("web", 1));
  ASSERT_EQ(same.status, 202) << same.body;
  EXPECT_EQ(same.json().at("revisions").as_array().size(), 0u);

  auto v2 = deploy(*p, versioned("web", 2));
  ASSERT_EQ(v2.status, 202) << v2.body;
  EXPECT_EQ(v2.json().at("revisions").as_array().at(0).as_string(), "web-00002");
  ASSERT_TRUE(p->wait_for([&] { return revision_ready(*p, "web", "web-00002"); }, std::chrono::seconds(10)));
  EXPECT_EQ(answered_by(*p, "/function/web/", 5), (std::map<std::string, int>{{"web-00002", 5}}));
  // web-00001 has no traffic: it goes to zero at once.
  EXPECT_TRUE(p->wait_for([&] { return revision_desired(*p, "web", "web-00001") == 0; }, std::chrono::seconds(5)));
  auto st = p->status("web");
  EXPECT_EQ(st.at("latestCreatedRevisionName").as_string(), "web-00002");
  EXPECT_EQ(st.at("latestReadyRevisionName").as_string(), "web-00002");
  EXPECT_EQ(st.at("revisions").as_array().size(), 2u);

  auto cli = run_cli({"revisions", "web", "--gateway", p->gateway()});
  EXPECT_EQ(cli.code, 0) << cli.err;
  EXPECT_NE(cli.out.find("web-00002"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("web-00001"), std::string::npos) << cli.out;

  // Per-revision metrics.
  auto metrics = p->call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("mlfaas_revision_requests_total{function_name=\"web\",revision=\"web-00002\",code=\"200\"} 5"),
            std::string::npos);
}

TEST(Revisions, An80to20SplitLandsWithinThreePointsAndTagsRouteToTheirRevision) {
  auto p = start_platform(versioned("split", 1));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("split") == 1; }, std::chrono::seconds(10)));
  const std::string traffic =
      "  - revisionName: split-00001\n    percent: 80\n    tag: stable\n"
      "  - latestRevision: true\n    percent: 20\n    tag: canary\n";
  auto v2 = deploy(*p, versioned("split", 2, traffic));
  ASSERT_EQ(v2.status, 202) << v2.body;
  ASSERT_TRUE(p->wait_for([&] { return revision_ready(*p, "split", "split-00002"); }, std::chrono::seconds(10)));

  auto by = answered_by(*p, "/function/split/", 2000);
  EXPECT_EQ(by["split-00001"] + by["split-00002"], 2000) << by.size();
  EXPECT_NEAR(by["split-00001"] / 20.0, 80.0, 3.0);
  EXPECT_NEAR(by["split-00002"] / 20.0, 20.0, 3.0);

  // Host routing honours the split too; a tag's host reaches only its revision.
  auto host = answered_by(*p, "/", 200, {{"Host", "split.default.example.com"}});
  EXPECT_GT(host["split-00001"], 120);
  EXPECT_GT(host["split-00002"], 10);
  EXPECT_EQ(answered_by(*p, "/", 50, {{"Host", "canary-split.default.example.com"}}),
            (std::map<std::string, int>{{"split-00002", 50}}));
  EXPECT_EQ(answered_by(*p, "/", 50, {{"Host", "stable-split.default.example.com:8080"}}),
            (std::map<std::string, int>{{"split-00001", 50}}));
  EXPECT_EQ(p->call("GET", "/", "", {{"Host", "nosuchtag-split.default.example.com"}}).status, 404);

  auto st = p->status("split");
  auto& tr = st.at("traffic").as_array();
  ASSERT_EQ(tr.size(), 2u);
  EXPECT_EQ(tr[1].at("revisionName").as_string(), "split-00002");
  EXPECT_EQ(tr[1].at("host").as_string(), "canary-split.default");

  // Rollback is a traffic change (the shape of `kn service update --traffic`).
  auto rb = run_cli({"traffic", "split", "split-00001=100", "--gateway", p->gateway()});
  ASSERT_EQ(rb.code, 0) << rb.err << rb.out;
  EXPECT_EQ(answered_by(*p, "/function/split/", 50), (std::map<std::string, int>{{"split-00001", 50}}));
  // Tags stay routable at 0%.
  EXPECT_EQ(answered_by(*p, "/", 10, {{"Host", "canary-split.default.example.com"}}),
            (std::map<std::string, int>{{"split-00002", 10}}));
  // Forward again, with a new tag.
  auto fwd = run_cli({"traffic", "split", "@latest=100", "--tag", "split-00001=old", "--untag", "canary",
                      "--gateway", p->gateway()});
  ASSERT_EQ(fwd.code, 0) << fwd.err << fwd.out;
  EXPECT_EQ(answered_by(*p, "/function/split/", 20), (std::map<std::string, int>{{"split-00002", 20}}));
  EXPECT_EQ(answered_by(*p, "/", 10, {{"Host", "old-split.default.example.com"}}),
            (std::map<std::string, int>{{"split-00001", 10}}));
  EXPECT_EQ(p->call("GET", "/", "", {{"Host", "canary-split.default.example.com"}}).status, 404);
}

TEST(Revisions, TrafficMistakesAreRefusedNamingTheField) {
  auto p = start_platform(versioned("bad", 1));
  auto missing = deploy(*p, versioned("bad", 2, "  - revisionName: bad-00007\n    percent: 100\n"));
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("spec.traffic[0].revisionName: revision 'bad-00007' does not exist"), std::string::npos)
      << missing.body;
  auto sum = deploy(*p, versioned("bad", 2, "  - latestRevision: true\n    percent: 90\n"));
  EXPECT_EQ(sum.status, 400);
  EXPECT_NE(sum.body.find("Traffic targets sum to 90, want 100"), std::string::npos) << sum.body;
  auto name = deploy(*p, versioned("bad", 2, "", "other-name"));
  EXPECT_EQ(name.status, 400);
  EXPECT_NE(name.body.find("must have prefix 'bad-'"), std::string::npos) << name.body;
  // Nothing changed by the refused updates.
  EXPECT_EQ(p->status("bad").at("revisions").as_array().size(), 1u);
  auto api = p->call("PUT", "/system/traffic/bad", R"({"traffic": [{"revisionName": "bad-00001", "percent": 50}]})");
  EXPECT_EQ(api.status, 400);
  EXPECT_NE(api.body.find("Traffic targets sum to 50"), std::string::npos) << api.body;
  auto cli = run_cli({"traffic", "bad", "bad-00009=100", "--gateway", p->gateway()});
  EXPECT_NE(cli.code, 0);
  EXPECT_NE(cli.err.find("does not exist"), std::string::npos) << cli.err;
  // A chosen revision name cannot be reused for another template.
  ASSERT_EQ(deploy(*p, versioned("bad", 2, "", "bad-v2")).status, 202);
  auto reuse = deploy(*p, versioned("bad", 3, "", "bad-v2"));
  EXPECT_EQ(reuse.status, 400);
  EXPECT_NE(reuse.body.find("already exists with another template"), std::string::npos) << reuse.body;
}

// ../shared/k8s/seed-repo/knative/<file> with only the image replaced by a command.
std::string study_file(const std::string& file) {
  std::ifstream in(source_dir() / "../shared/k8s/seed-repo/knative" / file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string y = ss.str();
  return std::regex_replace(y, std::regex(R"((\n\s*)- image: (\S+))"),
                            "$1- image: $2$1  command: [\"" + hello_exe() + "\"]");
}

TEST(Revisions, TheStudysReactTrafficSplittingExampleRoutesAsKnativeWould) {
  const auto first = study_file("react-sample.yaml");
  if (first.find("react-example-first") == std::string::npos) GTEST_SKIP() << "../shared/k8s/seed-repo not found";
  auto p = start_platform(first);
  ASSERT_TRUE(p->wait_for([&] { return p->ready("react-example") == 1; }, std::chrono::seconds(10)))
      << p->proc->stderr_text();
  EXPECT_EQ(answered_by(*p, "/", 5, {{"Host", "react-example.demo.example.com"}}),
            (std::map<std::string, int>{{"react-example-first", 5}}));
  EXPECT_EQ(answered_by(*p, "/", 3, {{"Host", "current-react-example.demo.example.com"}}),
            (std::map<std::string, int>{{"react-example-first", 3}}));

  auto second = deploy(*p, study_file("react-traffic-splitting.yaml"));
  ASSERT_EQ(second.status, 202) << second.body;
  ASSERT_TRUE(p->wait_for([&] { return revision_ready(*p, "react-example", "react-example-second"); },
                          std::chrono::seconds(10)));
  auto by = answered_by(*p, "/", 500, {{"Host", "react-example.demo.example.com"}});
  EXPECT_NEAR(by["react-example-first"] / 5.0, 10.0, 4.0);
  EXPECT_NEAR(by["react-example-second"] / 5.0, 90.0, 4.0);
  EXPECT_EQ(answered_by(*p, "/", 5, {{"Host", "current-react-example.demo.example.com"}}),
            (std::map<std::string, int>{{"react-example-first", 5}}));
  EXPECT_EQ(answered_by(*p, "/", 5, {{"Host", "new-react-example.demo.example.com"}}),
            (std::map<std::string, int>{{"react-example-second", 5}}));
  EXPECT_EQ(answered_by(*p, "/", 5, {{"Host", "latest-react-example.demo.example.com"}}),
            (std::map<std::string, int>{{"react-example-second", 5}}));
}

TEST(Revisions, AGradualRolloutMovesTrafficOverItsDuration) {
  auto with_rollout = [](int v) {
    auto y = versioned("roll", v);
    return std::regex_replace(y, std::regex("metadata:\n  name: roll\n"),
                              "metadata:\n  name: roll\n  annotations:\n    serving.knative.dev/rollout-duration: \"4s\"\n");
  };
  auto p = start_platform(with_rollout(1));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("roll") == 1; }, std::chrono::seconds(10)));
  ASSERT_EQ(deploy(*p, with_rollout(2)).status, 202);
  ASSERT_TRUE(p->wait_for([&] { return revision_ready(*p, "roll", "roll-00002"); }, std::chrono::seconds(10)));
  // During the rollout both revisions answer; after it only the new one.
  auto st = p->status("roll");
  ASSERT_TRUE(st.contains("rollout")) << boost::json::serialize(st);
  auto during = answered_by(*p, "/function/roll/", 200);
  EXPECT_GT(during["roll-00001"], 0);
  EXPECT_GT(during["roll-00002"], 0);
  ASSERT_TRUE(p->wait_for([&] { return !p->status("roll").contains("rollout"); }, std::chrono::seconds(10)));
  EXPECT_EQ(answered_by(*p, "/function/roll/", 20), (std::map<std::string, int>{{"roll-00002", 20}}));
}

TEST(Revisions, OldUnroutedRevisionsAreGarbageCollected) {
  auto p = start_platform(versioned("gc", 1), {"--keep-revisions", "1"});
  ASSERT_TRUE(p->wait_for([&] { return p->ready("gc") == 1; }, std::chrono::seconds(10)));
  // gc-00001 stays: the traffic names it (at 0%, with a tag).
  const std::string pin = "  - revisionName: gc-00001\n    percent: 0\n    tag: first\n"
                          "  - latestRevision: true\n    percent: 100\n";
  for (int v = 2; v <= 5; ++v) {
    ASSERT_EQ(deploy(*p, versioned("gc", v, pin)).status, 202);
    const std::string rev = "gc-0000" + std::to_string(v);
    ASSERT_TRUE(p->wait_for([&] { return revision_ready(*p, "gc", rev); }, std::chrono::seconds(10)));
  }
  ASSERT_TRUE(p->wait_for([&] { return p->status("gc").at("revisions").as_array().size() == 3; }, std::chrono::seconds(5)))
      << boost::json::serialize(p->status("gc").at("revisions"));
  std::set<std::string> names;
  const auto st = p->status("gc");
  for (auto& r : st.at("revisions").as_array()) names.insert(std::string(r.at("name").as_string()));
  // The newest, the pinned one, and one more unrouted (--keep-revisions 1).
  EXPECT_EQ(names, (std::set<std::string>{"gc-00001", "gc-00004", "gc-00005"}));
  EXPECT_EQ(answered_by(*p, "/", 3, {{"Host", "first-gc.default.example.com"}}),
            (std::map<std::string, int>{{"gc-00001", 3}}));
}

TEST(Revisions, FunctionsRevisionsAndTrafficSurviveARestartEvenAKill) {
  auto p = start_platform(versioned("keep", 1));
  ASSERT_TRUE(p->wait_for([&] { return p->ready("keep") == 1; }, std::chrono::seconds(10)));
  ASSERT_EQ(deploy(*p, versioned("keep", 2, "  - revisionName: keep-00001\n    percent: 100\n    tag: old\n"
                                              "  - latestRevision: true\n    percent: 0\n    tag: new\n")).status, 202);
  ASSERT_EQ(p->call("POST", "/system/functions", versioned("extra", 1)).status, 202);
  ASSERT_TRUE(p->wait_for([&] { return revision_ready(*p, "keep", "keep-00002"); }, std::chrono::seconds(10)));

  for (int signal : {SIGTERM, SIGKILL}) {
    p->proc->signal(signal);
    p->proc->wait(std::chrono::seconds(30));
    // The same spec file and state directory: the restored functions come back as they were.
    auto restarted = restart_platform(*p);
    Platform& q = *restarted;
    ASSERT_TRUE(q.wait_for([&] { return q.ready("keep") >= 1 && q.ready("extra") == 1; }, std::chrono::seconds(10)));
    auto st = q.status("keep");
    EXPECT_EQ(st.at("revisions").as_array().size(), 2u) << boost::json::serialize(st);
    EXPECT_EQ(st.at("latestCreatedRevisionName").as_string(), "keep-00002");
    EXPECT_EQ(answered_by(q, "/function/keep/", 10), (std::map<std::string, int>{{"keep-00001", 10}}));
    ASSERT_TRUE(q.wait_for([&] { return revision_ready(q, "keep", "keep-00002"); }, std::chrono::seconds(10)));
    EXPECT_EQ(answered_by(q, "/", 5, {{"Host", "new-keep.default.example.com"}}),
              (std::map<std::string, int>{{"keep-00002", 5}}));
    // A new revision continues the numbering.
    if (signal == SIGKILL) {
      auto v3 = deploy(q, versioned("keep", 3));
      ASSERT_EQ(v3.status, 202) << v3.body;
      EXPECT_EQ(v3.json().at("revisions").as_array().at(0).as_string(), "keep-00003");
    }
    p = std::move(restarted);
  }
}

}  // namespace
