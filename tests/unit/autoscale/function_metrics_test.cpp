// FunctionMetrics: what the gateway records and what a policy then observes.
#include <gtest/gtest.h>

#include <stdexcept>

#include "autoscale/function_metrics.h"
#include "fake_time.h"

namespace mlfaas::autoscale {
namespace {

using namespace testing;

TEST(FunctionMetrics, ObserveCarriesStableAndPanicConcurrency) {
  FunctionMetrics m(DemandWindows{}, at(0));
  m.record(at(0), 10);
  m.record(at(54), 40);  // the last 6 s at 40
  const Observed o = m.observe(at(60), 3);
  EXPECT_DOUBLE_EQ(o.stable_value, (54 * 10 + 6 * 40) / 60.0);
  EXPECT_DOUBLE_EQ(o.panic_value, 40);
  EXPECT_EQ(o.ready_pods, 3);
  EXPECT_EQ(o.in_flight, 40);
  EXPECT_TRUE(o.reachable);
}

TEST(FunctionMetrics, RpsMetricUsesRequestCounts) {
  DemandWindows w;
  w.metric = Metric::rps;
  FunctionMetrics m(w, at(0));
  for (int sec = 0; sec < 60; ++sec) m.record_requests(at(sec + 0.5), sec < 54 ? 100 : 400);
  m.record(at(0), 1);  // concurrency is not what this function scales on
  const Observed o = m.observe(at(59.9), 1);
  EXPECT_DOUBLE_EQ(o.stable_value, (54 * 100 + 6 * 400) / 60.0);
  EXPECT_DOUBLE_EQ(o.panic_value, 400);
  EXPECT_DOUBLE_EQ(m.stable_rps(at(59.9)), o.stable_value);
}

TEST(FunctionMetrics, WindowsAreConfigurablePerFunction) {
  DemandWindows w;
  w.stable = 10s;
  w.panic = 2s;
  FunctionMetrics m(w, at(0));
  m.record(at(0), 0);
  m.record(at(8), 10);
  const Observed o = m.observe(at(10), 1);
  EXPECT_DOUBLE_EQ(o.stable_value, 2);
  EXPECT_DOUBLE_EQ(o.panic_value, 10);
}

TEST(FunctionMetrics, HistoryStartsAtCreationSoLateTrafficIsNotAmplified) {
  FunctionMetrics m(DemandWindows{}, at(0));
  m.record(at(100), 60);
  const Observed o = m.observe(at(101), 1);
  EXPECT_DOUBLE_EQ(o.stable_value, 1);   // one second of 60 in a minute
  EXPECT_DOUBLE_EQ(o.panic_value, 10);   // one second of 60 in six
}

TEST(FunctionMetrics, OnlyTwoHundredsCountForTheOpenFaasRate) {
  FunctionMetrics m(DemandWindows{}, at(0));
  for (int sec = 0; sec < 10; ++sec) {
    m.record_status(at(sec), 2, 30);    // class form
    m.record_status(at(sec), 200, 20);  // full code form
    m.record_status(at(sec), 5, 100);
    m.record_status(at(sec), 503, 100);
    m.record_status(at(sec), 4, 100);
  }
  EXPECT_DOUBLE_EQ(m.observe(at(9.5), 1).ce_rate_2xx, 50);
  EXPECT_DOUBLE_EQ(m.ce_rate_2xx(at(14.5)), 25);  // 10 s window
}

TEST(FunctionMetrics, LastRequestFollowsArrivalsAndRequestsStillInFlight) {
  FunctionMetrics m(DemandWindows{}, at(0));
  EXPECT_FALSE(m.observe(at(1), 0).last_request);
  m.record_requests(at(5), 0);  // a zero count is not a request
  EXPECT_FALSE(m.last_request());
  m.record_requests(at(7));
  EXPECT_EQ(m.last_request(), at(7));
  m.record(at(8), 2);
  EXPECT_EQ(m.last_request(), at(8));
  EXPECT_EQ(m.observe(at(30), 1).last_request, at(30));  // still 2 in flight at 30
  m.record(at(31), 0);
  EXPECT_EQ(m.observe(at(90), 1).last_request, at(30));
}

TEST(FunctionMetrics, ARequestWaitingAtZeroIsVisibleAtOnce) {
  FunctionMetrics m(DemandWindows{}, at(0));
  m.record(at(500), 1);
  const Observed o = m.observe(at(500), 0);
  EXPECT_EQ(o.stable_value, 0);  // no time has passed with it in flight
  EXPECT_EQ(o.in_flight, 1);
}

TEST(FunctionMetrics, ReachabilityIsPassedThrough) {
  FunctionMetrics m(DemandWindows{}, at(0));
  EXPECT_FALSE(m.observe(at(1), 1, false).reachable);
}

TEST(FunctionMetrics, RejectsEmptyWindows) {
  DemandWindows w;
  w.panic = 0s;
  EXPECT_THROW((void)FunctionMetrics(w, at(0)), std::invalid_argument);
}

}  // namespace
}  // namespace mlfaas::autoscale
