#include <gtest/gtest.h>

#include "http/fetch.h"
#include "http/responses.h"
#include "support/subprocess.h"
#include "test_util.h"

namespace mlfaas::http {
namespace {

using namespace test;

TEST(Fetch, PostsAndReturnsTheResponse) {
  ServerFixture srv([](Request& req, RequestContext&) -> asio::awaitable<Response> {
    co_return text_response(Status::ok, std::string(req.method_string()) + " " + std::string(req.target()) + " " +
                                            std::string(req["X-Test"]) + " " + req.body());
  });
  auto t0 = std::chrono::steady_clock::now();
  auto r = fetch("http://127.0.0.1:" + std::to_string(srv.port()) + "/a/b?x=1&y=%20", Verb::post, "body",
                 {{"X-Test", "yes"}});
  EXPECT_LT(seconds_since(t0), 0.5) << "fetch must not wait for pooled-connection timers";
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.response.body(), "POST /a/b?x=1&y=%20 yes body");
}

TEST(Fetch, DefaultsToRootPath) {
  ServerFixture srv([](Request& req, RequestContext&) -> asio::awaitable<Response> {
    co_return text_response(Status::ok, std::string(req.target()));
  });
  auto r = fetch("http://127.0.0.1:" + std::to_string(srv.port()));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.response.body(), "/");
}

TEST(Fetch, ReportsNetworkErrors) {
  auto r = fetch("http://127.0.0.1:" + std::to_string(mlfaas::test::free_port()) + "/");
  EXPECT_EQ(r.error, ErrorKind::connect);
}

TEST(Fetch, RejectsUnsupportedUrls) {
  EXPECT_THROW(fetch("https://example.com/"), std::invalid_argument);
  EXPECT_THROW(fetch("not a url"), std::invalid_argument);
}

}  // namespace
}  // namespace mlfaas::http
