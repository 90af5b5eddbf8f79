// Every client mistake gets a precise 4xx JSON error and the server keeps serving; overload and
// deadlines get 503/504 with Retry-After, never a dropped connection.
#include <gtest/gtest.h>

#include "service_fixture.h"

using namespace mlfaas::test;

namespace {

class Errors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    svc = start_service(tiny_model_dir(), {"--max-body-bytes", "300000", "--max-pixels", "1000000", "--max-images",
                                           "4"})
              .release();
  }
  static void TearDownTestSuite() { delete svc; }
  static Service* svc;

  // Asserts status, a JSON {"error": ...} containing `needle`, and that the server still works.
  static void expect_error(const HttpResult& r, int status, const std::string& needle) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json") << r.body;
    auto v = boost::json::parse(r.body);
    ASSERT_TRUE(v.is_object() && v.as_object().contains("error")) << r.body;
    std::string msg(v.as_object().at("error").as_string());
    EXPECT_NE(msg.find(needle), std::string::npos) << "message: " << msg << "\nexpected to contain: " << needle;
    EXPECT_EQ(svc->post("/classify", test_jpeg(), "image/jpeg").status, 200) << "server stopped serving";
  }
};
Service* Errors::svc = nullptr;

TEST_F(Errors, EmptyBody) { expect_error(svc->post("/classify", "", "image/jpeg"), 400, "request body is empty"); }

TEST_F(Errors, NotAnImage) {
  expect_error(svc->post("/classify", "hello, this is certainly not an image", "image/jpeg"), 415,
               "unsupported image format");
}

TEST_F(Errors, TruncatedJpeg) {
  std::string img = test_jpeg(200, 150);
  expect_error(svc->post("/classify", img.substr(0, img.size() / 2), "image/jpeg"), 400, "JPEG");
}

TEST_F(Errors, CorruptPng) {
  std::string img = test_png(100, 100);
  for (size_t i = 60; i < img.size(); i += 7) img[i] = char(img[i] ^ 0x5a);
  expect_error(svc->post("/classify", img, "image/png"), 400, "PNG");
}

TEST_F(Errors, BodyTooLarge) {
  expect_error(svc->post("/classify", std::string(400000, 'x'), "image/jpeg"), 413, "limit");
}

TEST_F(Errors, TooManyPixels) {
  // A valid 2000x1000 PNG header (2 M pixels > 1 M limit): rejected from the header alone.
  expect_error(svc->post("/classify", flat_png(2000, 1000), "image/png"), 413, "pixels");
}

TEST_F(Errors, TooManyImages) {
  std::vector<Part> parts(5, Part{"file", "a.jpg", "image/jpeg", test_jpeg(16, 16)});
  auto [ct, body] = multipart_body(parts);
  expect_error(svc->post("/classify", body, ct), 413, "the limit is 4");
}

TEST_F(Errors, BadBase64AndBadJson) {
  expect_error(svc->post("/classify", R"({"image":"!!!not base64!!!"})", "application/json"), 400, "not valid base64");
  expect_error(svc->post("/classify", R"({"image": "abc)", "application/json"), 400, "not valid JSON");
  expect_error(svc->post("/classify", R"({"picture":"abcd"})", "application/json"), 400, "no \"image\" or \"images\"");
  expect_error(svc->post("/classify", R"({"images":[]})", "application/json"), 400, "non-empty array");
  expect_error(svc->post("/classify", R"({"image":42})", "application/json"), 400, "must be a base64 string");
  expect_error(svc->post("/classify", R"([1,2])", "application/json"), 400, "must be an object");
}

TEST_F(Errors, MultipartWithoutFilePart) {
  auto [ct, body] = multipart_body({{"upload", "a.jpg", "image/jpeg", test_jpeg()}});
  expect_error(svc->post("/predict", body, ct), 400, "no part named \"file\" or \"image\" (parts: upload)");
}

TEST_F(Errors, MultipartEmptyFileAndMalformedBody) {
  auto [ct, body] = multipart_body({{"file", "", "application/octet-stream", ""}});
  expect_error(svc->post("/predict", body, ct), 400, "is empty");
  expect_error(svc->post("/predict", "--xyz\r\nnot really multipart", "multipart/form-data; boundary=xyz"), 400,
               "malformed multipart body");
  expect_error(svc->post("/predict", "abc", "multipart/form-data"), 400, "boundary");
}

TEST_F(Errors, UnsupportedContentType) {
  expect_error(svc->post("/classify", "a=b", "application/x-www-form-urlencoded"), 415, "unsupported Content-Type");
}

TEST_F(Errors, BadTopK) {
  expect_error(svc->post("/classify?top_k=0", test_jpeg(), "image/jpeg"), 400, "top_k must be an integer from 1 to 10");
  expect_error(svc->post("/classify?top_k=abc", test_jpeg(), "image/jpeg"), 400, "top_k");
  expect_error(svc->post("/classify?top_k=11", test_jpeg(), "image/jpeg"), 400, "top_k");
}

TEST_F(Errors, WrongMethodGets405WithAllow) {
  for (const char* p : {"/classify", "/predict", "/"}) {
    auto r = svc->get(p);
    expect_error(r, 405, "method not allowed");
    EXPECT_EQ(r.header("allow"), "POST");
  }
  auto r = http_call(svc->port, "DELETE", "/healthz");
  expect_error(r, 405, "method not allowed");
  EXPECT_EQ(r.header("allow"), "GET, HEAD");
}

TEST_F(Errors, UnknownPathGets404) { expect_error(svc->get("/nope"), 404, "no route for GET /nope"); }

TEST_F(Errors, GarbageRequestLineGets400AndTheServerSurvives) {
  std::string got = raw_exchange(svc->port, "BLAH\r\n\r\n");
  EXPECT_NE(got.find("400"), std::string::npos) << got;
  EXPECT_EQ(svc->post("/classify", test_jpeg(), "image/jpeg").status, 200);
}

TEST(Overload, QueueFullGets503WithRetryAfter) {
  auto svc = start_service(tiny_model_dir(), {"--max-queue", "0"});
  auto r = svc->post("/classify", test_jpeg(), "image/jpeg");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_NE(r.body.find("queue is full"), std::string::npos);
}

TEST(Overload, DeadlineGets504) {
  auto svc = start_service(tiny_model_dir(), {"--request-timeout-ms", "0"});
  auto r = svc->post("/classify", test_jpeg(), "image/jpeg");
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_NE(r.body.find("deadline"), std::string::npos);
}

TEST(Overload, BurstAgainstASmallQueueIsAnsweredNeverDropped) {
  auto svc = start_service(tiny_model_dir(), {"--max-queue", "2", "--workers", "1"});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, unavailable{0}, other{0};
  const std::string img = test_jpeg(640, 480);
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        try {
          auto r = svc->post("/classify", img, "image/jpeg");
          if (r.status == 200) ++ok;
          else if (r.status == 503 && r.header("retry-after") == "1") ++unavailable;
          else ++other;
        } catch (const std::exception&) {
          ++other;  // a dropped connection
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok + unavailable, 80);
  EXPECT_GT(ok.load(), 0);
}

TEST(Overload, MaxInflightGets429) {
  auto svc = start_service(tiny_model_dir(), {"--max-inflight", "1", "--workers", "1"});
  std::vector<Part> parts(32, Part{"file", "a.jpg", "image/jpeg", test_jpeg(320, 240)});
  auto [ct, body] = multipart_body(parts);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, limited{0}, other{0};
  for (int t = 0; t < 12; ++t)
    threads.emplace_back([&, ct = ct, body = body] {
      auto r = svc->post("/classify", body, ct);
      if (r.status == 200) ++ok;
      else if (r.status == 429 && !r.header("retry-after").empty()) ++limited;
      else ++other;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(limited.load(), 0);
}

}  // namespace
