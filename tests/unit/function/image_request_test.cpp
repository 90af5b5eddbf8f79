#include "function/image_request.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace mlfaas::function {
namespace {

http::Request request(const std::string& content_type, std::string body) {
  http::Request r{http::Verb::post, "/classify", 11};
  if (!content_type.empty()) r.set(http::Field::content_type, content_type);
  r.body() = std::move(body);
  return r;
}

const ImageList& ok(const std::variant<ImageList, RequestError>& v) {
  if (auto* e = std::get_if<RequestError>(&v)) ADD_FAILURE() << e->message;
  return std::get<ImageList>(v);
}

unsigned status(const std::variant<ImageList, RequestError>& v) {
  auto* e = std::get_if<RequestError>(&v);
  return e ? unsigned(e->status) : 0;
}

// The images are views into the request (or the result): both stay alive while they are read.
TEST(ImageRequest, RawBodyIsOneImage) {
  auto req = request("image/jpeg", "JPEGBYTES");
  auto r = extract_images(req, 8);
  ASSERT_EQ(ok(r).images.size(), 1u);
  EXPECT_EQ(ok(r).images[0], "JPEGBYTES");
  EXPECT_FALSE(ok(r).batch_form);
  auto untyped = request("", "x");
  auto u = extract_images(untyped, 8);
  EXPECT_EQ(ok(u).images.size(), 1u);
}

TEST(ImageRequest, JsonBase64OneOrMany) {
  auto one_req = request("application/json", R"({"image":")" + base64_encode("abc") + R"("})");
  auto one = extract_images(one_req, 8);
  ASSERT_EQ(ok(one).images.size(), 1u);
  EXPECT_EQ(ok(one).images[0], "abc");
  auto many_req =
      request("application/json", R"({"images":[")" + base64_encode("a") + R"(","data:image/png;base64,)" + base64_encode("b") + R"("]})");
  auto many = extract_images(many_req, 8);
  ASSERT_EQ(ok(many).images.size(), 2u);
  EXPECT_EQ(ok(many).images[1], "b");
  EXPECT_TRUE(ok(many).batch_form);
}

TEST(ImageRequest, MultipartFileAndImageParts) {
  std::string body = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\nAAA\r\n"
                     "--B\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nignored\r\n"
                     "--B\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nBBB\r\n--B--\r\n";
  auto req = request("multipart/form-data; boundary=B", body);
  auto r = extract_images(req, 8);
  ASSERT_EQ(ok(r).images.size(), 2u);
  EXPECT_EQ(ok(r).images[0], "AAA");
  EXPECT_EQ(ok(r).images[1], "BBB");
}

TEST(ImageRequest, ClientMistakesAre4xx) {
  EXPECT_EQ(status(extract_images(request("image/jpeg", ""), 8)), 400u);
  EXPECT_EQ(status(extract_images(request("application/json", "{not json"), 8)), 400u);
  EXPECT_EQ(status(extract_images(request("application/json", R"({"image": 5})"), 8)), 400u);
  EXPECT_EQ(status(extract_images(request("application/json", R"({"image": "!!!"})"), 8)), 400u);
  EXPECT_EQ(status(extract_images(request("application/json", R"({"images": []})"), 8)), 400u);
  EXPECT_EQ(status(extract_images(request("multipart/form-data", "x"), 8)), 400u);
  EXPECT_EQ(status(extract_images(request("text/plain", "x"), 8)), 415u);
  std::string three = R"({"images":["YQ==","YQ==","YQ=="]})";
  EXPECT_EQ(status(extract_images(request("application/json", three), 2)), 413u);
}

}  // namespace
}  // namespace mlfaas::function
