// `mlfaas study` as CI runs it: the real binary starts `mlfaas up` with each profile (real replicas
// of `mlfaas serve` with the shared model), sends the study's two clients in short mode, and
// writes one report; and the same command against an external URL (the test server).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/bench_target_server.h"
#include "support/paths.h"
#include "support/subprocess.h"

namespace mlfaas::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Anything `mlfaas up` might keep goes to a scratch directory, never the user's.
RunResult mlfaas(std::vector<std::string> args, const fs::path& state, std::chrono::milliseconds timeout) {
  return run_mlfaas(std::move(args), timeout, {{"XDG_STATE_HOME", state.string()}});
}

boost::json::object read_json(const fs::path& p) { return boost::json::parse(read_binary(p)).as_object(); }

const fs::path kSeedDir = source_dir() / ".." / "shared" / "seed-study";

TEST(StudyCli, ShortModeRunsBothProfilesIntoOneReport) {
  MLFAAS_REQUIRE_SHARED_MODEL();
  if (!fs::exists(kSeedDir / "knative-image.png")) GTEST_SKIP() << "the study's images are not in " << kSeedDir;
  auto dir = make_temp_dir("study");
  auto r = mlfaas({"study", "--short", "--out", (dir / "report").string(), "--model", shared_model_dir()->string(),
                   "--seed-dir", kSeedDir.string()},
                  dir / "state", 150s);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  for (const char* s : {"Knative: study", "Knative: mlfaas", "OpenFaaS: study", "OpenFaaS: mlfaas", "Requests per second",
                        "100.39", "83.50", "First 2xx after"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;

  const fs::path out = dir / "report";
  for (const char* f : {"report.md", "report.html", "study.json", "study-rps.svg", "study-latency.svg", "study-failures.svg",
                        "study-transfer.svg", "throughput.svg", "latency-p99.svg", "replicas.svg", "latency-cdf.svg",
                        "runs/knative.json", "runs/openfaas.json", "runs/knative/report.md", "runs/openfaas/report.md",
                        "profiles/knative-service.yaml", "profiles/openfaas-stack.yml"})
    EXPECT_TRUE(fs::exists(out / f)) << f;

  auto md = read_binary(out / "report.md");
  EXPECT_NE(md.find("| metric | Knative: study | Knative: mlfaas | OpenFaaS: study | OpenFaaS: mlfaas |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| Requests per second | 100.39 | "), std::string::npos) << md;
  EXPECT_NE(md.find("**short mode** (CI)"), std::string::npos);
  EXPECT_NE(md.find("| knative | Knative client | Knative (KPA, scale to zero) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| openfaas | OpenFaaS client | OpenFaaS CE (RPS rule, 1 to 5 replicas) |"), std::string::npos) << md;

  auto doc = read_json(out / "study.json");
  EXPECT_EQ(doc.at("short"), true);
  const auto& runs = doc.at("runs").as_array();
  ASSERT_EQ(runs.size(), 2u);
  for (auto& v : runs) {
    const auto& run = v.as_object();
    SCOPED_TRACE(boost::json::serialize(run.at("id")));
    ASSERT_EQ(run.at("ran"), true) << boost::json::serialize(run);
    EXPECT_EQ(run.at("requests"), 100);
    // Every failure must be explained: none at this load, except requests that met no replica yet
    // while the Knative profile started from zero (slow sanitizer builds).
    const auto& f = run.at("failures").as_object();
    EXPECT_EQ(f.at("after_cold"), 0) << boost::json::serialize(f);
    EXPECT_FALSE(run.at("first_success_s").is_null());
    EXPECT_GE(run.at("max_replicas").to_number<int64_t>(), 1);
    // The servers' own counters were read: the gateway's and the live replicas'.
    ASSERT_TRUE(run.at("server_side").is_object());
    EXPECT_GE(run.at("server_side").at("replicas_scraped").to_number<int64_t>(), 1);
  }
  const auto& k = runs[0].as_object();
  EXPECT_EQ(k.at("id"), "knative");
  EXPECT_EQ(k.at("from_zero"), true);
  EXPECT_GE(k.at("cold_start").at("count").to_number<double>(), 1) << "the first request found the function at zero";
  EXPECT_NE(k.at("autoscaler").as_string().find("kpa"), std::string::npos);
  const auto& o = runs[1].as_object();
  EXPECT_EQ(o.at("from_zero"), false);
  EXPECT_NE(o.at("autoscaler").as_string().find("openfaas-ce"), std::string::npos);
  EXPECT_EQ(o.at("failures").at("total"), 0);
}

// Against any URL: no local platform; the run's replicas come from the URL's gateway API.
TEST(StudyCli, RunsAgainstAnExternalUrl) {
  if (!fs::exists(kSeedDir / "openfaas-download.jpg")) GTEST_SKIP() << "the study's images are not in " << kSeedDir;
  BenchTargetServer server;
  server.start();
  auto dir = make_temp_dir("study-url");
  auto r = mlfaas({"study", "--profile", "openfaas", "--url",
                   "openfaas=" + server.url("/function/image-classifier-new?delay_ms=2"), "-n", "20", "-R", "20",
                   "--seed-dir", kSeedDir.string(), "--out", (dir / "report").string()},
                  dir / "state", 60s);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  auto doc = read_json(dir / "report" / "study.json");
  const auto& runs = doc.at("runs").as_array();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].at("local"), false);
  EXPECT_EQ(runs[0].at("requests"), 20);
  EXPECT_EQ(runs[0].at("failures").at("total"), 0);
  EXPECT_EQ(runs[0].at("max_replicas"), 2) << "from the test server's fake gateway API";
  EXPECT_TRUE(doc.at("model").as_string().empty());
  auto md = read_binary(dir / "report" / "report.md");
  EXPECT_NE(md.find("| OpenFaaS | (external) |"), std::string::npos) << md;
  EXPECT_EQ(md.find("Knative: study"), std::string::npos) << "only the profile that ran";
}

TEST(StudyCli, BadOptionsExit2) {
  auto dir = make_temp_dir("study-bad");
  auto r = mlfaas({"study", "--url", "nope=http://127.0.0.1:1/"}, dir, 20s);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown profile \"nope\""), std::string::npos) << r.err;
  r = mlfaas({"study", "--profile", "openfaas", "--url", "openfaas=http://127.0.0.1:1/", "--seed-dir", "/nonexistent"}, dir, 20s);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is missing (--seed-dir DIR"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mlfaas::test
