// Tally and Timeline: counts by status and cause, merging, time buckets.
#include <gtest/gtest.h>

#include "bench/tally.h"
#include "bench/timeline.h"

namespace mlfaas::bench {
namespace {

TEST(Tally, CountsResponsesStatusesAndFailuresByCause) {
  Tally t;
  t.record_response(200, 100, 1000);
  t.record_response(200, 100, 2000);
  t.record_response(503, 50, 500);
  t.record_response(302, 10, 400);
  t.record_failure(Cause::connect, 10);
  t.record_failure(Cause::timeout, 2'000'000);
  t.record_failure(Cause::read, 300);
  EXPECT_EQ(t.completed, 7u);
  EXPECT_EQ(t.responses, 4u);
  EXPECT_EQ(t.bytes, 260u);
  EXPECT_EQ(t.statuses.at(200), 2u);
  EXPECT_EQ(t.statuses.at(503), 1u);
  EXPECT_EQ(t.failures_of(Cause::non_2xx), 2u);  // 503 and 302
  EXPECT_EQ(t.failures_of(Cause::connect), 1u);
  EXPECT_EQ(t.failures_of(Cause::timeout), 1u);
  EXPECT_EQ(t.failures_of(Cause::read), 1u);
  EXPECT_EQ(t.failed(), 5u);
  EXPECT_EQ(t.socket_errors(), 3u);
  EXPECT_EQ(t.latency.count(), 4u);    // responses only
  EXPECT_EQ(t.timed_out.count(), 1u);  // kept, separately
  EXPECT_DOUBLE_EQ(t.timed_out.max(), 2'000'000);
}

TEST(Tally, Merge) {
  Tally a, b;
  a.record_response(200, 10, 100);
  b.record_response(404, 10, 200);
  b.record_failure(Cause::write, 5);
  a.merge(b);
  EXPECT_EQ(a.completed, 3u);
  EXPECT_EQ(a.statuses.size(), 2u);
  EXPECT_EQ(a.failures_of(Cause::write), 1u);
  EXPECT_EQ(a.failed(), 2u);
  EXPECT_EQ(a.latency.count(), 2u);
}

TEST(Tally, CauseNames) {
  for (Cause c : kAllCauses) EXPECT_EQ(cause_from_name(cause_name(c)), c);
  EXPECT_FALSE(cause_from_name("nope"));
}

TEST(Timeline, BucketsByTimeAndMerges) {
  Timeline t(1.0);
  t.at(0.2).record_response(200, 1, 1);
  t.at(0.9).record_response(200, 1, 1);
  t.at(2.5).record_response(200, 1, 1);
  t.at(-0.1).record_response(200, 1, 1);  // before the origin: first bucket
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.bucket(0).completed, 3u);
  EXPECT_EQ(t.bucket(1).completed, 0u);
  EXPECT_EQ(t.bucket(2).completed, 1u);

  Timeline w(0.25);
  w.at(0.3).record_failure(Cause::timeout, 1);
  EXPECT_EQ(w.size(), 2u);
  Timeline merged;  // empty: takes the other's width
  merged.merge(w);
  EXPECT_DOUBLE_EQ(merged.bucket_seconds(), 0.25);
  EXPECT_EQ(merged.sum(0, 10).failures_of(Cause::timeout), 1u);

  Timeline other(1.0);
  other.at(4.0).record_response(500, 1, 1);
  t.merge(other);
  EXPECT_EQ(t.size(), 5u);
  EXPECT_EQ(t.sum(0, 5).completed, 5u);
  EXPECT_EQ(t.sum(3, 5).failures_of(Cause::non_2xx), 1u);
}

}  // namespace
}  // namespace mlfaas::bench

namespace mlfaas::bench {
namespace {

TEST(TallyGoodput, SucceededCountsOnly2xx) {
  Tally t;
  t.record_response(200, 10, 1000);
  t.record_response(204, 10, 1000);
  t.record_response(299, 10, 1000);
  t.record_response(503, 10, 1000);
  t.record_response(199, 10, 1000);
  t.record_response(300, 10, 1000);
  t.record_failure(Cause::timeout, 2e6);
  EXPECT_EQ(t.succeeded(), 3u);
  EXPECT_EQ(t.completed, 7u);
}

}  // namespace
}  // namespace mlfaas::bench

namespace mlfaas::bench {
namespace {

TEST(TallyGoodput, Non2xxLatencyIsKeptApart) {
  Tally a, b;
  a.record_response(200, 10, 50'000);
  a.record_response(503, 10, 2'000);
  b.record_response(503, 10, 4'000);
  a.merge(b);
  EXPECT_EQ(a.non_2xx_latency.count(), 2u);
  EXPECT_EQ(a.latency.count(), 3u);
  EXPECT_LE(a.non_2xx_latency.max(), 4'000);
}

}  // namespace
}  // namespace mlfaas::bench
