// The load generator against a real server on loopback whose delays, statuses and failures we
// control (tests/support/bench_target_server.h): exact counts, status buckets, failure causes,
// percentiles of a known delay distribution, open-loop correction, sweeps, the gateway watcher.
#include <gtest/gtest.h>

#include "bench/bench_run.h"
#include "bench/plan.h"
#include "common/strings.h"
#include "support/bench_target_server.h"
#include "support/paths.h"

namespace mlfaas::bench {
namespace {

using test::BenchTargetServer;

struct Server : BenchTargetServer {
  Server() { start(); }
};

RunResult run(BenchOptions o) {
  auto plan = resolve_plan(o, [](const std::string& p) { return read_file(p); });
  return run_bench(plan);
}

BenchOptions opts(std::string url, int connections = 1, int threads = 1) {
  BenchOptions o;
  o.url = std::move(url);
  o.connections = connections;
  o.threads = threads;
  return o;
}

// Fraction of responses slower than `us`.
double slower_than(const LatencyHistogram& h, double us) { return 1 - h.fraction_between(0, us); }

TEST(Load, ClosedLoopSendsExactlyTheRequestedNumberOverKeepAlive) {
  Server srv;
  auto o = opts(srv.url("/"), 5, 2);
  o.requests = 500;
  auto r = run(o);
  EXPECT_EQ(r.data.total.completed, 500u);
  EXPECT_EQ(r.data.total.responses, 500u);
  EXPECT_EQ(r.data.total.statuses.at(200), 500u);
  EXPECT_EQ(r.data.total.failed(), 0u);
  EXPECT_EQ(srv.requests(), 500u);
  EXPECT_EQ(r.connections_opened, 5u);  // keep-alive: one per connection, split 3 + 2 over the threads
  EXPECT_EQ(srv.connections(), 5u);
  EXPECT_EQ(r.data.total.latency.count(), 500u);
  EXPECT_GT(r.throughput(), 0);
  uint64_t in_timeline = 0;
  for (auto& b : r.data.seconds.buckets()) in_timeline += b.completed;
  EXPECT_EQ(in_timeline, 500u);
}

TEST(Load, CountsEveryStatusAndNon2xx) {
  Server srv;
  auto o = opts(srv.url("/cycle?statuses=200,404,500,200,302"), 4, 2);
  o.requests = 500;
  auto r = run(o);
  const auto& t = r.data.total;
  EXPECT_EQ(t.statuses.at(200), 200u);
  EXPECT_EQ(t.statuses.at(404), 100u);
  EXPECT_EQ(t.statuses.at(500), 100u);
  EXPECT_EQ(t.statuses.at(302), 100u);
  EXPECT_EQ(t.failures_of(Cause::non_2xx), 300u);
  EXPECT_EQ(t.socket_errors(), 0u);
  EXPECT_EQ(t.latency.count(), 500u);  // non-2xx responses still have a latency
}

TEST(Load, RefusedConnectionsAreConnectFailures) {
  test::RefusingPort closed;
  auto o = opts(closed.url("/"), 2);
  o.requests = 20;
  auto r = run(o);
  EXPECT_EQ(r.data.total.completed, 20u);
  EXPECT_EQ(r.data.total.failures_of(Cause::connect), 20u);
  EXPECT_EQ(r.data.total.responses, 0u);
  EXPECT_EQ(r.connections_opened, 0u);
}

TEST(Load, DroppedAndTruncatedResponsesAreReadFailures) {
  Server srv;
  auto o = opts(srv.url("/drop"), 2);
  o.requests = 10;
  auto dropped = run(o);
  EXPECT_EQ(dropped.data.total.failures_of(Cause::read), 10u);
  EXPECT_EQ(dropped.data.total.completed, 10u);
  o.url = srv.url("/partial");
  auto truncated = run(o);
  EXPECT_EQ(truncated.data.total.failures_of(Cause::read), 10u);
  EXPECT_EQ(truncated.data.total.responses, 0u);
}

TEST(Load, AResetWhileSendingTheBodyIsAWriteFailure) {
  Server srv;
  auto dir = test::make_temp_dir("bench-big-body");
  test::write_binary(dir / "big.bin", std::string(32 << 20, 'x'));  // larger than the socket buffers
  auto o = opts(srv.url("/reset_early"), 1);
  o.files = {(dir / "big.bin").string()};
  o.requests = 3;
  o.timeout = "10s";
  auto r = run(o);
  EXPECT_EQ(r.data.total.completed, 3u);
  EXPECT_EQ(r.data.total.failures_of(Cause::write), 3u) << "read " << r.data.total.failures_of(Cause::read);
}

TEST(Load, UnansweredRequestsTimeOutAndKeepTheirLatencySeparately) {
  Server srv;
  auto o = opts(srv.url("/hang"), 2);
  o.requests = 4;
  o.timeout = "200ms";
  auto r = run(o);
  const auto& t = r.data.total;
  EXPECT_EQ(t.failures_of(Cause::timeout), 4u);
  EXPECT_EQ(t.latency.count(), 0u);  // not among the responses' latencies (like wrk)...
  ASSERT_EQ(t.timed_out.count(), 4u);  // ...but kept
  EXPECT_GE(t.timed_out.min(), 195'000);
  EXPECT_LT(t.timed_out.max(), 600'000);
}

TEST(Load, SlowResponsesSucceedWithinTheTimeoutAndFailBeyondIt) {
  Server srv;
  auto o = opts(srv.url("/slow?ms=100"), 2);
  o.requests = 4;
  auto ok = run(o);
  EXPECT_EQ(ok.data.total.statuses.at(200), 4u);
  EXPECT_GE(ok.data.total.latency.min(), 99'000);
  o.url = srv.url("/slow?ms=600");
  o.timeout = "200ms";
  o.requests = 2;
  auto late = run(o);
  EXPECT_EQ(late.data.total.failures_of(Cause::timeout), 2u);
  EXPECT_EQ(late.data.total.responses, 0u);
}

TEST(Load, PercentilesOfAKnownDelayDistribution) {
  // Every 20 requests: 16 wait 20 ms, 3 wait 80 ms, 1 waits 200 ms (80% / 15% / 5%). The steps are
  // far apart so that scheduling noise on a loaded 2-core machine (tests run in parallel, under
  // sanitizers too) cannot move a request into the next cluster.
  Server srv;
  std::string ms;
  for (int i = 0; i < 20; ++i) {
    if (i) ms += ',';
    ms += std::to_string(i < 16 ? 20 : i < 19 ? 80 : 200);
  }
  auto o = opts(srv.url("/dist?ms=" + ms), 8, 2);
  o.requests = 200;
  auto r = run(o);
  const auto& h = r.data.total.latency;
  ASSERT_EQ(h.count(), 200u);
  // Latency = the server's delay + loopback and scheduling overhead; each percentile must land in
  // its cluster.
  EXPECT_GE(h.min(), 20000);
  EXPECT_LT(h.percentile(50), 40000);
  EXPECT_LT(h.percentile(79), 40000);
  EXPECT_GE(h.percentile(81), 80000);
  EXPECT_LT(h.percentile(94), 160000);
  EXPECT_GE(h.percentile(96), 200000);
  EXPECT_LT(h.percentile(99), 260000);
  EXPECT_NEAR(slower_than(h, 180000), 0.05, 1e-9);  // exactly the 10 requests that waited 200 ms
  const double mean = 0.8 * 20000 + 0.15 * 80000 + 0.05 * 200000;
  EXPECT_GE(h.mean(), mean);
  EXPECT_LT(h.mean(), mean + 15000);
}

TEST(Load, OpenLoopShowsAStallThatClosedLoopHides) {
  // The server stalls the 20th request for 1 s, once. One connection, 100 requests/s.
  const std::string stall = "/stall_once?after=20&ms=1000";
  RunResult closed, open;
  {
    Server srv;
    auto o = opts(srv.url(stall), 1);
    o.duration = "2s";
    closed = run(o);
  }
  {
    Server srv;
    auto o = opts(srv.url(stall), 1);
    o.duration = "3s";
    o.rate = 100;
    open = run(o);
  }
  // Closed loop: the stall is one slow request among thousands; p99 does not see it.
  const auto& c = closed.data.total.latency;
  EXPECT_GE(c.max(), 1e6);
  EXPECT_LT(c.percentile(99), 100'000);
  EXPECT_LT(slower_than(c, 100'000), 0.01);
  // Open loop: every request due during the stall waits for it; ~100 of 300 were due in that second.
  const auto& o = open.data.total.latency;
  EXPECT_NEAR(double(open.data.total.completed), 300, 3);
  EXPECT_GT(slower_than(o, 100'000), 0.2) << "p75 " << o.percentile(75);
  EXPECT_GE(o.percentile(75), 100'000);
  EXPECT_GE(o.max(), 1e6);
  EXPECT_GE(open.data.send_lag.max(), 900'000);  // the sender fell behind by about the stall
}

TEST(Load, OpenLoopKeepsItsRateAndMeasuresSendLag) {
  Server srv;
  auto o = opts(srv.url("/?delay_ms=2"), 4, 2);
  o.duration = "2s";
  o.rate = 200;
  auto r = run(o);
  EXPECT_NEAR(double(r.data.total.completed), 400, 4);
  EXPECT_EQ(r.data.total.statuses.at(200), r.data.total.completed);
  EXPECT_EQ(r.data.send_lag.count(), r.data.total.completed);
  EXPECT_LT(r.data.send_lag.percentile(50), 50'000);  // timers fire on time, give or take a loaded machine
}

TEST(Load, OpenLoopRequestsThatWaitPastTheTimeoutFailWithoutBeingSent) {
  Server srv;
  // The server never answers; one connection, a request due every 0.5 ms, each given up 50 ms
  // after its intended send time: the queue grows faster than timeouts free the connection.
  auto o = opts(srv.url("/hang"), 1);
  o.duration = "300ms";
  o.rate = 2000;
  o.timeout = "50ms";
  auto r = run(o);
  const auto& t = r.data.total;
  EXPECT_NEAR(double(t.completed), 600, 1);  // every scheduled request is accounted for
  EXPECT_EQ(t.failures_of(Cause::timeout), t.completed);
  EXPECT_LT(srv.requests(), t.completed / 2);  // most expired in the queue and were never sent
  EXPECT_GE(t.timed_out.min(), 50'000);  // counted from the intended send time
}

TEST(Load, RequestsInFlightAtTheEndAreAwaitedAndCounted) {
  Server srv;
  auto o = opts(srv.url("/?delay_ms=300"), 4, 2);
  o.duration = "500ms";
  auto r = run(o);
  EXPECT_EQ(r.data.total.completed, srv.requests());  // nothing sent is left out
  EXPECT_EQ(r.data.total.statuses.at(200), r.data.total.completed);
  EXPECT_EQ(r.data.total.completed % 4, 0u);
  EXPECT_GT(r.elapsed_s, 0.5);  // the requests in flight at 0.5 s were awaited
}

TEST(Load, SweepRunsOneStepPerConcurrency) {
  Server srv;
  auto o = opts(srv.url("/?delay_ms=10"), 1, 2);
  o.sweep = "1:4:x2";
  o.window = "250ms";
  o.max_trials = 4;
  auto r = run(o);
  ASSERT_EQ(r.sweep.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto& s = r.sweep[i];
    EXPECT_EQ(s.concurrency, 1 << i);
    EXPECT_GE(s.windows.size(), 3u);
    EXPECT_LE(s.windows.size(), 4u);
    EXPECT_EQ(s.measured.failed(), 0u);
    // ~95 requests/s per concurrent request at 10 ms each.
    EXPECT_GT(s.throughput(), 50.0 * s.concurrency) << s.concurrency;
    EXPECT_LT(s.throughput(), 101.0 * s.concurrency) << s.concurrency;
  }
  ASSERT_EQ(r.concurrency_changes.size(), 3u);
  EXPECT_EQ(r.concurrency_changes[2].second, 4);
}

TEST(Load, WatchesTheFunctionsReplicasAtTheGateway) {
  Server srv;
  auto o = opts(srv.url("/function/classifier/predict"), 1);
  o.duration = "2200ms";
  auto r = run(o);
  ASSERT_GE(r.gateway.size(), 2u);
  for (auto& s : r.gateway) {
    EXPECT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.replicas, 2);
    EXPECT_EQ(s.available_replicas, 1);
    EXPECT_EQ(s.queue_depth, 3);
  }
  EXPECT_LT(r.gateway[0].t, 0.5);
}

TEST(Load, AMissingOrUnreachableGatewayNeverDisturbsTheRun) {
  Server srv;
  auto o = opts(srv.url("/"), 1);
  o.duration = "1200ms";
  o.gateway = srv.url("");
  o.function = "missing";
  auto missing = run(o);
  ASSERT_FALSE(missing.gateway.empty());
  EXPECT_FALSE(missing.gateway[0].ok);
  EXPECT_EQ(missing.gateway[0].error, "HTTP 404");
  EXPECT_GT(missing.data.total.responses, 0u);

  test::RefusingPort closed;
  o.gateway = closed.url("");
  auto unreachable = run(o);
  ASSERT_FALSE(unreachable.gateway.empty());
  EXPECT_FALSE(unreachable.gateway[0].ok);
  EXPECT_FALSE(unreachable.gateway[0].error.empty());
  EXPECT_EQ(unreachable.data.total.failed(), 0u);
}

TEST(Load, StopsEarlyWhenInterrupted) {
  Server srv;
  auto plan = resolve_plan(opts(srv.url("/?delay_ms=5"), 2), [](const std::string&) { return std::string(); });
  plan.duration = std::chrono::seconds(30);
  std::atomic<bool> interrupt{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    interrupt = true;
  });
  int ticks = 0;
  auto r = run_bench(plan, [&](const Progress&) { ++ticks; }, &interrupt);
  stopper.join();
  EXPECT_TRUE(r.interrupted);
  EXPECT_LT(r.elapsed_s, 2);
  EXPECT_GT(r.data.total.completed, 10u);
  EXPECT_EQ(r.data.total.failed(), 0u);
}

}  // namespace
}  // namespace mlfaas::bench
