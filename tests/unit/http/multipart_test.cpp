// multipart/form-data parsing: valid shapes and every error message.
#include <gtest/gtest.h>

#include "http/multipart.h"
#include "support/http_call.h"

namespace mlfaas::http {
namespace {

std::string error_of(std::string_view content_type, std::string_view body) {
  try {
    parse_multipart(content_type, body);
  } catch (const MultipartError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Multipart, SinglePartFromTheTestSupportBuilder) {
  auto [ct, body] = mlfaas::test::multipart_body({{"image", "cat.jpg", "image/jpeg", std::string("\xff\xd8\x00\r\n--x", 8)}});
  auto parts = parse_multipart(ct, body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "image");
  EXPECT_EQ(parts[0].filename, "cat.jpg");
  EXPECT_EQ(parts[0].content_type, "image/jpeg");
  EXPECT_EQ(parts[0].data, std::string_view("\xff\xd8\x00\r\n--x", 8));  // binary, with CRLF and dashes inside
  // Zero-copy: the views point into the body.
  EXPECT_GE(parts[0].data.data(), body.data());
  EXPECT_LE(parts[0].data.data() + parts[0].data.size(), body.data() + body.size());
}

TEST(Multipart, SeveralPartsWithAndWithoutContentType) {
  auto [ct, body] = mlfaas::test::multipart_body({{"model", "", "", "mobilenetv2"},
                                                  {"top_k", "", "", "5"},
                                                  {"image", "a.png", "image/png", "PNGDATA"},
                                                  {"empty", "", "", ""}});
  auto parts = parse_multipart(ct, body);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].name, "model");
  EXPECT_EQ(parts[0].data, "mobilenetv2");
  EXPECT_EQ(parts[0].content_type, "");
  EXPECT_EQ(parts[0].filename, "");
  EXPECT_EQ(parts[1].data, "5");
  EXPECT_EQ(parts[2].filename, "a.png");
  EXPECT_EQ(parts[2].data, "PNGDATA");
  EXPECT_EQ(parts[3].name, "empty");
  EXPECT_EQ(parts[3].data, "");
  ASSERT_NE(find_part(parts, "top_k"), nullptr);
  EXPECT_EQ(find_part(parts, "top_k")->data, "5");
  EXPECT_EQ(find_part(parts, "missing"), nullptr);
}

TEST(Multipart, QuotedBoundaryPreambleAndEpilogue) {
  std::string body =
      "This is the preamble.\r\n"
      "--b;o=u nd\r\n"
      "Content-Disposition: form-data; name=\"a\"; filename=\"x;y.txt\"\r\n"
      "content-type: text/plain\r\n"
      "\r\n"
      "hello\r\n"
      "--b;o=u nd--\r\n"
      "This is the epilogue.\r\n";
  auto parts = parse_multipart("multipart/form-data; charset=utf-8; boundary=\"b;o=u nd\"", body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "a");
  EXPECT_EQ(parts[0].filename, "x;y.txt");  // semicolon inside quotes
  EXPECT_EQ(parts[0].content_type, "text/plain");  // header names are case-insensitive
  EXPECT_EQ(parts[0].data, "hello");
}

TEST(Multipart, BareLineFeeds) {
  std::string body =
      "--XYZ\n"
      "Content-Disposition: form-data; name=one\n"
      "\n"
      "1\n"
      "--XYZ\n"
      "Content-Disposition: form-data; name=\"two\"\n"
      "\n"
      "line1\nline2\n"
      "--XYZ--";
  auto parts = parse_multipart("Multipart/Form-Data; BOUNDARY=XYZ", body);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "one");  // unquoted parameter value
  EXPECT_EQ(parts[0].data, "1");
  EXPECT_EQ(parts[1].data, "line1\nline2");
}

TEST(Multipart, TransportPaddingAfterBoundary) {
  std::string body = "--B  \t\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nv\r\n--B--";
  auto parts = parse_multipart("multipart/form-data; boundary=B", body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, "v");
}

TEST(Multipart, OnlyClosingBoundaryMeansNoParts) {
  EXPECT_TRUE(parse_multipart("multipart/form-data; boundary=B", "--B--\r\n").empty());
}

TEST(Multipart, ErrorNoBoundaryParameter) {
  EXPECT_EQ(error_of("multipart/form-data", "--B--"), "multipart body has no boundary parameter");
  EXPECT_EQ(error_of("multipart/form-data; boundary=\"\"", "--B--"), "multipart body has no boundary parameter");
}

TEST(Multipart, ErrorNotMultipart) {
  EXPECT_EQ(error_of("application/json", "{}"), "content type \"application/json\" is not multipart");
}

TEST(Multipart, ErrorBoundaryNotInBody) {
  EXPECT_EQ(error_of("multipart/form-data; boundary=B", "no delimiter here"),
            "multipart body does not contain the boundary \"B\"");
  EXPECT_EQ(error_of("multipart/form-data; boundary=B", ""), "multipart body does not contain the boundary \"B\"");
}

TEST(Multipart, ErrorPartWithoutContentDisposition) {
  std::string body =
      "--B\r\nContent-Disposition: form-data; name=\"ok\"\r\n\r\n1\r\n"
      "--B\r\nContent-Type: text/plain\r\n\r\n2\r\n--B--\r\n";
  EXPECT_EQ(error_of("multipart/form-data; boundary=B", body), "multipart part 2 has no Content-Disposition");
}

TEST(Multipart, ErrorPartWithoutName) {
  std::string body = "--B\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\n1\r\n--B--\r\n";
  EXPECT_EQ(error_of("multipart/form-data; boundary=B", body), "multipart part 1 has no name in its Content-Disposition");
}

TEST(Multipart, ErrorTruncatedNoClosingBoundary) {
  std::string body = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\npartial data";
  EXPECT_EQ(error_of("multipart/form-data; boundary=B", body),
            "multipart body is truncated: closing boundary not found");
  // Ends right after a (non-closing) delimiter.
  EXPECT_EQ(error_of("multipart/form-data; boundary=B",
                     "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--B"),
            "multipart body is truncated: closing boundary not found");
}

TEST(Multipart, ErrorTruncatedHeaders) {
  EXPECT_EQ(error_of("multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n"),
            "multipart body is truncated: part 1 headers are not terminated");
  EXPECT_EQ(error_of("multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"a\""),
            "multipart body is truncated: part 1 headers are not terminated");
}

TEST(Multipart, ErrorMalformedHeaderLine) {
  std::string body = "--B\r\nthis is not a header\r\n\r\nx\r\n--B--";
  EXPECT_EQ(error_of("multipart/form-data; boundary=B", body),
            "multipart part 1 has a malformed header line \"this is not a header\"");
}

TEST(Multipart, ErrorGarbageAfterBoundary) {
  std::string body = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--Bogus\r\n\r\n--B--";
  EXPECT_EQ(error_of("multipart/form-data; boundary=B", body),
            "multipart boundary before part 2 is followed by unexpected characters");
}

}  // namespace
}  // namespace mlfaas::http
