// `mlfaas bench` and `mlfaas bench compare` as a user runs them: the real binary against the test
// server on loopback, its outputs (summary, JSON, CSV, report), exit codes and error messages.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <fstream>

#include "support/bench_target_server.h"
#include "support/paths.h"
#include "support/subprocess.h"

namespace mlfaas::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

RunResult mlfaas(std::vector<std::string> args, std::chrono::milliseconds timeout = 30s) {
  return run_mlfaas(std::move(args), timeout);
}

boost::json::object read_json(const fs::path& p) { return boost::json::parse(read_binary(p)).as_object(); }

struct BenchCli : ::testing::Test {
  BenchTargetServer server;
  fs::path dir = make_temp_dir("bench-cli");
  void SetUp() override { server.start(); }
};

TEST_F(BenchCli, WritesSummaryJsonCsvAndReport) {
  auto r = mlfaas({"bench", server.url("/cycle?statuses=200,200,200,503"), "-n", "200", "-c", "4", "-t", "2",
                   "--json", (dir / "run.json").string(), "--csv", (dir / "run.csv").string(), "--report",
                   (dir / "report").string(), "--label", "test run"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s : {"Running 200 requests @", "2 threads and 4 connections", "Latency Distribution",
                        "200 requests in", "Non-2xx responses: 50", "Requests/sec:", "Transfer/sec:",
                        "Status codes: 200 x 150, 503 x 50", "non-2xx 50 (50 of 200 requests"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "no progress line when stderr is not a terminal";

  auto doc = read_json(dir / "run.json");
  EXPECT_EQ(doc.at("summary").at("requests"), 200);
  EXPECT_EQ(doc.at("summary").at("status").at("503"), 50);
  EXPECT_EQ(doc.at("settings").at("label"), "test run");
  EXPECT_NE(doc.at("command").as_string().find("--label 'test run'"), std::string::npos) << doc.at("command");
  EXPECT_FALSE(doc.at("mlfaas_version").as_string().empty());
  EXPECT_FALSE(doc.at("timeline").as_array().empty());

  auto csv = read_binary(dir / "run.csv");
  EXPECT_EQ(csv.rfind("t_s,seconds,requests,", 0), 0u);
  EXPECT_EQ(size_t(std::count(csv.begin(), csv.end(), '\n')), doc.at("timeline").as_array().size() + 1);

  auto md = read_binary(dir / "report" / "report.md");
  for (const char* svg : {"throughput.svg", "latency.svg", "latency-cdf.svg"}) {
    EXPECT_NE(md.find(std::string("](") + svg + ")"), std::string::npos) << svg;
    EXPECT_TRUE(fs::exists(dir / "report" / svg)) << svg;
  }
}

TEST_F(BenchCli, CompareTwoRuns) {
  for (auto [name, path] : {std::pair{"fast", "/"}, {"slow", "/?delay_ms=20"}}) {
    auto r = mlfaas({"bench", server.url(path), "-d", "500ms", "-c", "2", "--label", name, "--json",
                     (dir / (std::string(name) + ".json")).string()});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  auto r = mlfaas({"bench", "compare", (dir / "fast.json").string(), (dir / "slow.json").string(), "--report",
                   (dir / "cmp").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s : {"fast", "slow", "Requests per second", "Average latency", "Non-2xx responses",
                        "Transfer rate (KB/s)", "p99 latency"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_TRUE(fs::exists(dir / "cmp" / "report.md"));
  EXPECT_TRUE(fs::exists(dir / "cmp" / "compare-rps.svg"));

  auto bad = mlfaas({"bench", "compare", (dir / "fast.json").string(), (dir / "nope.json").string()});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("nope.json"), std::string::npos) << bad.err;
}

TEST_F(BenchCli, BadInputGetsAClearMessageAndExitCode2) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  for (auto& c : std::vector<Case>{{{"bench"}, "a URL to benchmark is required"},
                                   {{"bench", "localhost:8080"}, "invalid URL"},
                                   {{"bench", "https://example.com/"}, "https is not supported"},
                                   {{"bench", server.url("/"), "-d", "soon"}, "invalid duration \"soon\""},
                                   {{"bench", server.url("/"), "--file", "/nonexistent.jpg"}, "/nonexistent.jpg"},
                                   {{"bench", server.url("/"), "--sweep", "8:1"}, "END is smaller than START"},
                                   {{"bench", server.url("/"), "--preset", "seed-lambda"}, "unknown --preset"}}) {
    auto r = mlfaas(c.args);
    EXPECT_EQ(r.code, 2) << c.args.back() << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(BenchCli, AnUnreachableTargetStillGetsAReport) {
  RefusingPort closed;
  const std::string url = closed.url("/");
  auto r = mlfaas({"bench", url, "-d", "300ms", "-c", "2", "--json", (dir / "down.json").string()});
  EXPECT_EQ(r.code, 1);  // nothing answered
  EXPECT_NE(r.out.find("Socket errors: connect "), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("no response arrived"), std::string::npos) << r.err;
  auto doc = read_json(dir / "down.json");
  EXPECT_GT(doc.at("summary").at("failures").at("connect").as_int64(), 0);
}

TEST_F(BenchCli, MultipartUploadAndOpenLoop) {
  write_binary(dir / "x.png", "not really a png");
  auto r = mlfaas({"bench", server.url("/?delay_ms=1"), "--file", (dir / "x.png").string(), "--multipart", "image",
                   "-R", "100", "-d", "1s", "-c", "2", "--json", (dir / "open.json").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("open loop at 100.00 requests/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Send lag"), std::string::npos);
  auto doc = read_json(dir / "open.json");
  EXPECT_EQ(doc.at("settings").at("method"), "POST");
  EXPECT_EQ(doc.at("settings").at("payload").at("encoding"), "multipart");
  EXPECT_EQ(doc.at("settings").at("payload").at("multipart_field"), "image");
  EXPECT_NEAR(doc.at("summary").at("requests").to_number<double>(), 100, 2);
}

TEST_F(BenchCli, SigintStopsTheRunAndStillReports) {
  Subprocess p({mlfaas_exe().string(), "bench", server.url("/?delay_ms=5"), "-d", "60s", "-c", "2", "--json",
                (dir / "int.json").string()});
  // Interrupt once the load runs (the handler is installed by then), however slowly it started.
  for (int i = 0; i < 1000 && server.requests() < 10; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_GE(server.requests(), 10u);
  p.signal(SIGINT);
  auto code = p.wait(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << p.stderr_text();
  EXPECT_NE(p.stdout_text().find("interrupted"), std::string::npos) << p.stdout_text();
  EXPECT_EQ(read_json(dir / "int.json").at("summary").at("interrupted"), true);
}

}  // namespace
}  // namespace mlfaas::test
