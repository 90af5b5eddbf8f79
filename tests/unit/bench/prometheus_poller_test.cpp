#include "bench/prometheus_poller.h"

#include <gtest/gtest.h>

namespace mlfaas::bench {
namespace {

TEST(PrometheusPoller, ParsesInstantVectorsAsTheirSum) {
  EXPECT_EQ(parse_instant_value(R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{},"value":[1700000000.1,"2"]},{"metric":{"a":"b"},"value":[1700000000.1,"1.5"]}]}})"),
            3.5);
  EXPECT_EQ(parse_instant_value(R"({"status":"success","data":{"resultType":"vector","result":[]}})"), std::nullopt);
  EXPECT_EQ(parse_instant_value(R"({"status":"error","error":"bad query"})"), std::nullopt);
  EXPECT_EQ(parse_instant_value("not json"), std::nullopt);
  EXPECT_EQ(parse_instant_value(R"({"status":"success","data":{"result":[{"value":[1,2]}]}})"), std::nullopt);
}

TEST(PrometheusPoller, QueriesSelectTheFunction) {
  auto q = prometheus_queries("classifier");
  ASSERT_FALSE(q.empty());
  for (auto& [name, expr] : q) EXPECT_NE(expr.find("function_name=\"classifier\""), std::string::npos) << name;
  for (auto& [name, expr] : prometheus_queries("")) EXPECT_EQ(expr.find("function_name"), std::string::npos) << name;
}

}  // namespace
}  // namespace mlfaas::bench
