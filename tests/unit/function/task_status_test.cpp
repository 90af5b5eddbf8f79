#include "function/task_status.h"

#include <gtest/gtest.h>

namespace mlfaas::function {
namespace {

TEST(TaskStatus, EachOutcomeHasItsHttpStatus) {
  EXPECT_EQ(http_status(TaskStatus::ok), http::Status::ok);
  EXPECT_EQ(http_status(TaskStatus::bad_image), http::Status::bad_request);
  EXPECT_EQ(http_status(TaskStatus::unsupported_format), http::Status::unsupported_media_type);
  EXPECT_EQ(http_status(TaskStatus::too_many_pixels), http::Status::payload_too_large);
  EXPECT_EQ(http_status(TaskStatus::timeout), http::Status::gateway_timeout);
  EXPECT_EQ(http_status(TaskStatus::overloaded), http::Status::service_unavailable);
  EXPECT_EQ(unsigned(http_status(TaskStatus::abandoned)), 499u);
  EXPECT_EQ(http_status(TaskStatus::internal), http::Status::internal_server_error);
}

TEST(TaskStatus, OverloadCarriesRetryAfterAndTheQueueReason) {
  TaskResult r;
  r.status = TaskStatus::overloaded;
  r.reason = "shed";
  r.error = "overloaded";
  auto res = failure_response(r, "image 2: ", 3);
  EXPECT_EQ(res.result(), http::Status::service_unavailable);
  EXPECT_EQ(res[http::Field::retry_after], "3");
  EXPECT_NE(res.body().find("image 2: overloaded"), std::string::npos);
  EXPECT_STREQ(failure_reason(r), "shed");
  TaskResult bad;
  bad.status = TaskStatus::bad_image;
  EXPECT_STREQ(failure_reason(bad), "bad_image");
  EXPECT_EQ(failure_response(bad, "", 1).result(), http::Status::bad_request);
}

}  // namespace
}  // namespace mlfaas::function
