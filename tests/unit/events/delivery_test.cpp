// Knative DeliverySpec decisions: backoff delays, giving up, what a status means, ISO-8601 durations.
#include "events/delivery.h"

#include <gtest/gtest.h>

#include "events/cloudevent.h"

namespace mlfaas::events {
namespace {

using std::chrono::milliseconds;

TEST(Delivery, ExponentialDelays) {
  DeliveryPolicy p;  // exponential, PT0.2S
  const struct { int n; long ms; } table[] = {{1, 400}, {2, 800}, {3, 1600}, {4, 3200}, {5, 6400}, {10, 204800},
                                              {14, 3276800}, {15, 3600000}, {64, 3600000}, {100'000, 3600000}};
  for (auto [n, ms] : table) EXPECT_EQ(p.delay_before_retry(n), milliseconds(ms)) << n;
}

TEST(Delivery, LinearDelays) {
  DeliveryPolicy p;
  p.backoff_policy = BackoffPolicy::linear;
  p.backoff_delay = milliseconds(500);
  const struct { int n; long ms; } table[] = {{1, 500}, {2, 1000}, {3, 1500}, {10, 5000}, {7200, 3600000},
                                              {7201, 3600000}, {2'000'000'000, 3600000}};
  for (auto [n, ms] : table) EXPECT_EQ(p.delay_before_retry(n), milliseconds(ms)) << n;
}

TEST(Delivery, OddInputs) {
  DeliveryPolicy p;
  EXPECT_EQ(p.delay_before_retry(0), milliseconds(400));  // counts below 1 act as 1
  EXPECT_EQ(p.delay_before_retry(-5), milliseconds(400));
  DeliveryPolicy zero;
  zero.backoff_delay = milliseconds(0);
  EXPECT_EQ(zero.delay_before_retry(3), milliseconds(0));
  DeliveryPolicy huge;
  huge.backoff_delay = milliseconds(7'200'000);
  EXPECT_EQ(huge.delay_before_retry(1), milliseconds(3'600'000));
}

TEST(Delivery, GivesUpAfterTheRetries) {
  DeliveryPolicy none;  // retry 0: one attempt
  EXPECT_FALSE(none.gives_up(0));
  EXPECT_TRUE(none.gives_up(1));
  DeliveryPolicy three;
  three.retry = 3;
  for (int made = 0; made <= 3; ++made) EXPECT_FALSE(three.gives_up(made)) << made;
  EXPECT_TRUE(three.gives_up(4));
  EXPECT_TRUE(three.gives_up(5));
}

TEST(Delivery, OutcomeForStatus) {
  for (unsigned s : {200u, 201u, 202u, 204u, 299u}) EXPECT_EQ(outcome_for_status(s), Outcome::delivered) << s;
  for (unsigned s : {404u, 408u, 409u, 429u, 500u, 502u, 503u, 504u, 599u})
    EXPECT_EQ(outcome_for_status(s), Outcome::retry) << s;
  for (unsigned s : {100u, 101u, 199u, 300u, 301u, 302u, 304u, 399u, 400u, 401u, 403u, 405u, 410u, 413u, 415u, 422u, 499u})
    EXPECT_EQ(outcome_for_status(s), Outcome::give_up) << s;
  for (unsigned s : {0u, 1u, 99u, 600u, 999u}) EXPECT_EQ(outcome_for_status(s), Outcome::retry) << s;  // not in the table
}

std::string duration_error(const std::string& s) {
  try {
    parse_iso8601_duration(s, "spec.delivery.backoffDelay");
  } catch (const EventError& e) {
    return e.what();
  }
  return "";
}

TEST(Iso8601Duration, Good) {
  const struct { const char* s; long ms; } table[] = {
      {"PT0.2S", 200},      {"PT0,2S", 200},          {"PT1M30S", 90'000},      {"P1DT2H", 93'600'000},
      {"PT10S", 10'000},    {"PT0S", 0},              {"P0D", 0},               {"P0", 0},
      {"PT1H", 3'600'000},  {"PT1.5H", 5'400'000},    {"P1W", 604'800'000},     {"P1W1D", 691'200'000},
      {"PT0.001S", 1},      {"PT0.0009S", 0},         {"PT1.23456S", 1234},     {"P2DT3H4M5.006S", 183'845'006},
      {"PT36H", 129'600'000}, {"PT90M", 5'400'000},   {"P0.5D", 43'200'000}};
  for (auto [s, ms] : table) EXPECT_EQ(parse_iso8601_duration(s, "f"), milliseconds(ms)) << s;
}

TEST(Iso8601Duration, BadOnesNameTheField) {
  const std::string p = "spec.delivery.backoffDelay: '";
  const std::string e = " (e.g. PT0.2S, PT1M30S, P1DT2H)";
  EXPECT_EQ(duration_error("P1Y"), p + "P1Y' is not an ISO-8601 duration: years are not supported (their length varies); use days" + e);
  EXPECT_EQ(duration_error("P1M"), p + "P1M' is not an ISO-8601 duration: months are not supported (their length varies); use days" + e);
  EXPECT_EQ(duration_error(""), p + "' is not an ISO-8601 duration: it is empty" + e);
  EXPECT_EQ(duration_error("1S"), p + "1S' is not an ISO-8601 duration: it must start with 'P'" + e);
  EXPECT_EQ(duration_error("-PT1S"), p + "-PT1S' is not an ISO-8601 duration: signs are not allowed" + e);
  EXPECT_EQ(duration_error("P"), p + "P' is not an ISO-8601 duration: no components" + e);
  EXPECT_EQ(duration_error("PT"), p + "PT' is not an ISO-8601 duration: no components" + e);
  EXPECT_EQ(duration_error("P1DT"), p + "P1DT' is not an ISO-8601 duration: nothing after 'T'" + e);
  EXPECT_EQ(duration_error("P1S"), p + "P1S' is not an ISO-8601 duration: 'S' must come after 'T'" + e);
  EXPECT_EQ(duration_error("PT1D"), p + "PT1D' is not an ISO-8601 duration: 'D' must come before 'T'" + e);
  EXPECT_EQ(duration_error("PT1S1M"), p + "PT1S1M' is not an ISO-8601 duration: 'M' is out of order or repeated" + e);
  EXPECT_EQ(duration_error("PT1H1H"), p + "PT1H1H' is not an ISO-8601 duration: 'H' is out of order or repeated" + e);
  EXPECT_EQ(duration_error("PT1X"), p + "PT1X' is not an ISO-8601 duration: unknown designator 'X'" + e);
  EXPECT_EQ(duration_error("pt1s"), p + "pt1s' is not an ISO-8601 duration: it must start with 'P'" + e);
  EXPECT_EQ(duration_error("PT1s"), p + "PT1s' is not an ISO-8601 duration: unknown designator 's'" + e);
  EXPECT_EQ(duration_error("PT1"), p + "PT1' is not an ISO-8601 duration: a number without a designator (Y, M, W, D, H, M or S)" + e);
  EXPECT_EQ(duration_error("PTS"), p + "PTS' is not an ISO-8601 duration: expected a number at position 2" + e);
  EXPECT_EQ(duration_error("PT1.S"), p + "PT1.S' is not an ISO-8601 duration: a fraction needs digits after the separator" + e);
  EXPECT_EQ(duration_error("PT1TS"), p + "PT1TS' is not an ISO-8601 duration: unknown designator 'T'" + e);
  EXPECT_EQ(duration_error("P1DTT1S"), p + "P1DTT1S' is not an ISO-8601 duration: a second 'T'" + e);
  EXPECT_EQ(duration_error("P99999W"), p + "P99999W' is not an ISO-8601 duration: longer than a century" + e);
  EXPECT_EQ(duration_error("PT9999999999999S"), p + "PT9999999999999S' is not an ISO-8601 duration: a number is too large" + e);
  EXPECT_EQ(duration_error("PT.5S"), p + "PT.5S' is not an ISO-8601 duration: expected a number at position 2" + e);
  EXPECT_EQ(duration_error("P 1D"), p + "P 1D' is not an ISO-8601 duration: expected a number at position 1" + e);
}

}  // namespace
}  // namespace mlfaas::events
