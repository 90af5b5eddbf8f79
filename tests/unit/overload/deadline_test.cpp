#include "overload/deadline.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace mlfaas::overload {
namespace {

using namespace std::chrono_literals;

Duration budget(Duration own, std::map<std::string, std::string> headers) {
  return request_budget(own, [&](std::string_view name) -> std::string_view {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  });
}

TEST(Deadline, ParsesMilliseconds) {
  EXPECT_EQ(parse_timeout_ms("1500"), Duration(1500ms));
  EXPECT_EQ(parse_timeout_ms("0"), Duration(0ms));
  EXPECT_FALSE(parse_timeout_ms(""));
  EXPECT_FALSE(parse_timeout_ms("-5"));
  EXPECT_FALSE(parse_timeout_ms("1.5"));
  EXPECT_FALSE(parse_timeout_ms("15 "));
  EXPECT_FALSE(parse_timeout_ms("1234567890123"));  // 13 digits
}

TEST(Deadline, ParsesGrpcTimeoutEveryUnit) {
  EXPECT_EQ(parse_grpc_timeout("2H"), Duration(2h));
  EXPECT_EQ(parse_grpc_timeout("3M"), Duration(3min));
  EXPECT_EQ(parse_grpc_timeout("1S"), Duration(1s));
  EXPECT_EQ(parse_grpc_timeout("250m"), Duration(250ms));
  EXPECT_EQ(parse_grpc_timeout("700u"), Duration(700us));
  EXPECT_EQ(parse_grpc_timeout("900n"), Duration(900ns));
  EXPECT_EQ(parse_grpc_timeout("99999999S"), Duration(99999999s));
}

TEST(Deadline, RejectsMalformedGrpcTimeout) {
  EXPECT_FALSE(parse_grpc_timeout("S"));
  EXPECT_FALSE(parse_grpc_timeout("10"));         // no unit
  EXPECT_FALSE(parse_grpc_timeout("10s"));        // units are case-sensitive
  EXPECT_FALSE(parse_grpc_timeout("123456789S"));  // more than 8 digits
  EXPECT_FALSE(parse_grpc_timeout("1.5S"));
}

TEST(Deadline, BudgetIsTheFunctionsOwnWithoutHeaders) { EXPECT_EQ(budget(30s, {}), Duration(30s)); }

TEST(Deadline, HeadersOnlyLowerTheBudget) {
  EXPECT_EQ(budget(30s, {{"X-Mlfaas-Timeout-Ms", "2000"}}), Duration(2s));
  EXPECT_EQ(budget(1s, {{"X-Mlfaas-Timeout-Ms", "2000"}}), Duration(1s));
  EXPECT_EQ(budget(30s, {{"grpc-timeout", "500m"}}), Duration(500ms));
  EXPECT_EQ(budget(30s, {{"X-Envoy-Expected-Rq-Timeout-Ms", "700"}}), Duration(700ms));
}

TEST(Deadline, TheLowestHeaderWins) {
  EXPECT_EQ(budget(30s, {{"X-Mlfaas-Timeout-Ms", "2000"}, {"grpc-timeout", "1S"}, {"X-Envoy-Expected-Rq-Timeout-Ms", "3000"}}),
            Duration(1s));
}

TEST(Deadline, MalformedHeadersAreIgnored) {
  EXPECT_EQ(budget(30s, {{"X-Mlfaas-Timeout-Ms", "soon"}, {"grpc-timeout", "1x"}}), Duration(30s));
}

TEST(Deadline, MillisLeftIsAtLeastOne) {
  TimePoint t0{};
  EXPECT_EQ(millis_left(t0 + 1500ms, t0), 1500);
  EXPECT_EQ(millis_left(t0, t0 + 1s), 1);
}

}  // namespace
}  // namespace mlfaas::overload
