#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/responses.h"

namespace mlfaas::http {
namespace {

TEST(Responses, ErrorResponseIsEscapedJson) {
  auto r = error_response(Status::bad_request, "bad \"quote\"\nnewline");
  EXPECT_EQ(r.result(), Status::bad_request);
  EXPECT_EQ(r[Field::content_type], "application/json");
  EXPECT_EQ(boost::json::parse(r.body()).at("error").as_string(), "bad \"quote\"\nnewline");
  EXPECT_EQ(r[Field::content_length], std::to_string(r.body().size()));
}

TEST(Responses, JsonResponse) {
  auto r = json_response(Status::created, R"({"a":1})");
  EXPECT_EQ(r.result(), Status::created);
  EXPECT_EQ(r.body(), R"({"a":1})");
  EXPECT_EQ(r[Field::content_type], "application/json");
}

TEST(Responses, MethodNotAllowedSetsAllow) {
  auto r = method_not_allowed("GET, HEAD");
  EXPECT_EQ(r.result(), Status::method_not_allowed);
  EXPECT_EQ(r[Field::allow], "GET, HEAD");
  EXPECT_TRUE(boost::json::parse(r.body()).as_object().contains("error"));
}

TEST(Responses, UnavailableSetsRetryAfter) {
  auto r = unavailable("model is loading", 3);
  EXPECT_EQ(r.result(), Status::service_unavailable);
  EXPECT_EQ(r[Field::retry_after], "3");
  EXPECT_EQ(boost::json::parse(r.body()).at("error").as_string(), "model is loading");
}

TEST(Responses, HelpersLeaveKeepAliveToTheServer) {
  auto r = error_response(Status::not_found, "x");
  EXPECT_EQ(r.find(Field::connection), r.end());
}

}  // namespace
}  // namespace mlfaas::http
