// Resolving command-line options into a plan: URL, payloads (raw, multipart, base64), presets,
// methods, headers, modes, and the error messages for bad input.
#include <gtest/gtest.h>

#include <map>

#include "bench/plan.h"
#include "bench/preset.h"
#include "common/base64.h"
#include "http/multipart.h"

// Designated initializers name only the options a test sets; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace mlfaas::bench {
namespace {

using namespace std::chrono_literals;

std::map<std::string, std::string> files = {
    {"dog.jpg", std::string("\xff\xd8\xff\xe0 jpeg bytes", 15)},
    {"a.PNG", "png bytes"},
    {"blob.bin", "raw"},
    {"../shared/seed-study/knative-image.png", "the study's png"},
    {"../shared/seed-study/openfaas-download.jpg", "the study's jpeg"},
};

std::string fake_read(const std::string& path) {
  auto it = files.find(path);
  if (it == files.end()) throw std::runtime_error("No such file or directory");
  return it->second;
}

BenchPlan plan(BenchOptions o) { return resolve_plan(o, fake_read); }

std::string error_of(BenchOptions o) {
  try {
    plan(o);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Target, ParsesHostPortPathQueryAndGatewayFunctions) {
  auto t = parse_target("http://127.0.0.1:8080/classify?top_k=3");
  EXPECT_EQ(t.endpoint, http::Endpoint("127.0.0.1", 8080));
  EXPECT_EQ(t.target, "/classify?top_k=3");
  EXPECT_EQ(t.host_header, "127.0.0.1:8080");
  EXPECT_EQ(t.origin, "http://127.0.0.1:8080");
  EXPECT_TRUE(t.has_path);
  EXPECT_FALSE(t.gateway_function);

  auto bare = parse_target("http://example.com");
  EXPECT_EQ(bare.endpoint.port, 80);
  EXPECT_EQ(bare.target, "/");
  EXPECT_EQ(bare.host_header, "example.com");
  EXPECT_FALSE(bare.has_path);

  auto gw = parse_target("http://10.0.0.1:31112/function/image-classifier/predict");
  EXPECT_EQ(gw.gateway_function, "image-classifier");
  EXPECT_EQ(parse_target("http://gw:8080/function/f").gateway_function, "f");
  EXPECT_EQ(function_status_url("http://gw:8080/", "f"), "http://gw:8080/system/function/f");

  auto v6 = parse_target("http://[::1]:9000/x");
  EXPECT_EQ(v6.endpoint.host, "::1");
  EXPECT_EQ(v6.host_header, "[::1]:9000");
}

TEST(Target, RejectsWhatItCannotBenchmark) {
  EXPECT_THROW(parse_target("https://x/"), std::invalid_argument);
  EXPECT_THROW(parse_target("ftp://x/"), std::invalid_argument);
  EXPECT_THROW(parse_target("127.0.0.1:8080"), std::invalid_argument);
  EXPECT_THROW(parse_target("not a url"), std::invalid_argument);
  EXPECT_THROW(parse_target("http://u:p@x/"), std::invalid_argument);
  try {
    parse_target("https://x/");
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("https is not supported"), std::string::npos);
  }
}

TEST(Payload, ContentTypeFromExtension) {
  EXPECT_EQ(content_type_for_path("a/dog.jpg"), "image/jpeg");
  EXPECT_EQ(content_type_for_path("x.JPEG"), "image/jpeg");
  EXPECT_EQ(content_type_for_path("x.png"), "image/png");
  EXPECT_EQ(content_type_for_path("x.webp"), "image/webp");
  EXPECT_EQ(content_type_for_path("x.bmp"), "image/bmp");
  EXPECT_EQ(content_type_for_path("x.gif"), "image/gif");
  EXPECT_EQ(content_type_for_path("x.tiff"), "application/octet-stream");
  EXPECT_EQ(content_type_for_path("noext"), "application/octet-stream");
}

TEST(Payload, MultipartParsesBackWithOurServerParser) {
  PayloadOptions o;
  o.encoding = Encoding::multipart;
  o.field = "image";
  const std::string data("binary\r\n--not-a-boundary\0data", 29);
  auto p = build_payload("dir/cat.png", data, o);
  auto parts = http::parse_multipart(p.content_type, p.body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "image");
  EXPECT_EQ(parts[0].filename, "cat.png");
  EXPECT_EQ(parts[0].content_type, "image/png");
  EXPECT_EQ(parts[0].data, data);
}

TEST(Payload, BoundaryNeverOccursInTheData) {
  std::string first = multipart_boundary_for("");
  std::string tricky = "xx" + first + "yy";
  EXPECT_EQ(tricky.find(multipart_boundary_for(tricky)), std::string::npos);
}

TEST(Payload, Base64Json) {
  PayloadOptions o;
  o.encoding = Encoding::base64_json;
  auto p = build_payload("x.jpg", std::string("\x01\x02\xff", 3), o);
  EXPECT_EQ(p.content_type, "application/json");
  EXPECT_EQ(p.body, "{\"image\":\"" + base64_encode(std::string("\x01\x02\xff", 3)) + "\"}");
}

TEST(Plan, DefaultsAreWrkLike) {
  auto p = plan({.url = "http://127.0.0.1:8080/"});
  EXPECT_EQ(p.mode, LoadMode::closed);
  EXPECT_EQ(p.connections, 10);
  EXPECT_EQ(p.threads, 2);
  EXPECT_EQ(p.duration, std::chrono::nanoseconds(10s));
  EXPECT_EQ(p.timeout, 2000ms);
  EXPECT_EQ(p.method, http::Verb::get);
  ASSERT_EQ(p.requests.size(), 1u);
  EXPECT_EQ(p.requests[0].method(), http::Verb::get);
  EXPECT_EQ(p.requests[0].target(), "/");
  EXPECT_EQ(p.requests[0][http::Field::host], "127.0.0.1:8080");
  EXPECT_TRUE(p.requests[0].body().empty());
  EXPECT_EQ(p.label, "http://127.0.0.1:8080/");
}

TEST(Plan, FilesAreRotatedRawWithTheirContentTypeAndPostByDefault) {
  auto p = plan({.url = "http://h:1/classify", .files = {"dog.jpg", "a.PNG", "blob.bin"}});
  EXPECT_EQ(p.method, http::Verb::post);
  ASSERT_EQ(p.requests.size(), 3u);
  EXPECT_EQ(p.requests[0][http::Field::content_type], "image/jpeg");
  EXPECT_EQ(p.requests[0].body(), files["dog.jpg"]);
  EXPECT_EQ(p.requests[0][http::Field::content_length], "15");
  EXPECT_EQ(p.requests[1][http::Field::content_type], "image/png");
  EXPECT_EQ(p.requests[2][http::Field::content_type], "application/octet-stream");
}

TEST(Plan, HeadersOverrideIncludingHostAndContentType) {
  auto p = plan({.url = "http://10.0.0.1/predict",
                 .files = {"dog.jpg"},
                 .headers = {"Host: ml-image-classifier.demo.example", "Content-Type:image/x-test", "X-A: 1"},
                 .method = "put"});
  auto& r = p.requests[0];
  EXPECT_EQ(r.method(), http::Verb::put);
  EXPECT_EQ(r[http::Field::host], "ml-image-classifier.demo.example");
  EXPECT_EQ(r[http::Field::content_type], "image/x-test");
  EXPECT_EQ(r["X-A"], "1");
}

TEST(Plan, MultipartAndBase64) {
  auto m = plan({.url = "http://h/", .files = {"dog.jpg"}, .multipart_field = ""});
  auto parts = http::parse_multipart(m.requests[0][http::Field::content_type], m.requests[0].body());
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "file");  // the default field
  EXPECT_EQ(parts[0].filename, "dog.jpg");
  auto named = plan({.url = "http://h/", .files = {"dog.jpg"}, .multipart_field = "image"});
  EXPECT_EQ(http::parse_multipart(named.requests[0][http::Field::content_type], named.requests[0].body())[0].name, "image");
  auto b = plan({.url = "http://h/", .files = {"dog.jpg"}, .base64 = true});
  EXPECT_EQ(b.requests[0][http::Field::content_type], "application/json");
}

TEST(Plan, SeedKnativePresetReplaysTheStudysUploadLua) {
  auto p = plan({.url = "http://127.0.0.1:8080", .preset = "seed-knative"});
  EXPECT_EQ(p.method, http::Verb::post);
  auto& r = p.requests[0];
  EXPECT_EQ(r.target(), "/predict");
  auto parts = http::parse_multipart(r[http::Field::content_type], r.body());
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "file");
  EXPECT_EQ(parts[0].filename, "image.png");
  EXPECT_EQ(parts[0].content_type, "image/png");
  EXPECT_EQ(parts[0].data, "the study's png");
  EXPECT_EQ(p.label, "seed-knative");
  // A URL with a path keeps it; --file replaces the default image.
  auto q = plan({.url = "http://h/function/classifier", .files = {"dog.jpg"}, .preset = "seed-knative"});
  EXPECT_EQ(q.requests[0].target(), "/function/classifier");
  EXPECT_EQ(http::parse_multipart(q.requests[0][http::Field::content_type], q.requests[0].body())[0].filename, "image.png");
}

TEST(Plan, SeedOpenfaasPresetReplaysTheStudysPostLua) {
  auto p = plan({.url = "http://127.0.0.1:8080", .preset = "seed-openfaas"});
  auto& r = p.requests[0];
  EXPECT_EQ(r.method(), http::Verb::post);
  EXPECT_EQ(r.target(), "/");
  EXPECT_EQ(r[http::Field::content_type], "image/jpeg");
  EXPECT_EQ(r.body(), "the study's jpeg");
}

TEST(Plan, Modes) {
  auto open = plan({.url = "http://h/", .rate = 50, .arrival = "poisson"});
  EXPECT_EQ(open.mode, LoadMode::open);
  EXPECT_EQ(open.arrival, Arrival::poisson);
  auto n = plan({.url = "http://h/", .requests = 100});
  EXPECT_FALSE(n.duration);  // --requests alone: no time limit
  EXPECT_EQ(n.max_requests, 100u);
  auto both = plan({.url = "http://h/", .duration = "5s", .requests = 100});
  EXPECT_EQ(both.duration, std::chrono::nanoseconds(5s));
  auto sweep = plan({.url = "http://h/", .sweep = "1:8:x2", .window = "2s"});
  EXPECT_EQ(sweep.mode, LoadMode::sweep);
  EXPECT_EQ(sweep.sweep, (std::vector<int>{1, 2, 4, 8}));
  EXPECT_EQ(sweep.window, std::chrono::nanoseconds(2s));
  auto clamp = plan({.url = "http://h/", .connections = 1, .threads = 4});
  EXPECT_EQ(clamp.threads, 1);
}

TEST(Plan, GatewayFromFunctionUrlOrOptions) {
  auto p = plan({.url = "http://127.0.0.1:8080/function/classifier/predict"});
  EXPECT_EQ(p.function, "classifier");
  EXPECT_EQ(p.gateway_origin, "http://127.0.0.1:8080");
  auto q = plan({.url = "http://127.0.0.1:9000/", .gateway = "http://127.0.0.1:8080", .function = "f"});
  EXPECT_EQ(q.gateway_origin, "http://127.0.0.1:8080");
  EXPECT_EQ(q.function, "f");
  auto r = plan({.url = "http://127.0.0.1:9000/"});
  EXPECT_FALSE(r.gateway_origin);
}

TEST(Plan, ClearErrors) {
  EXPECT_NE(error_of({}).find("URL"), std::string::npos);
  EXPECT_NE(error_of({.url = "localhost:8080"}).find("invalid URL"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .connections = 0}).find("--connections"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .threads = 0}).find("--threads"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .duration = "soon"}).find("soon"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .duration = "0s"}).find("--duration"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .timeout = "0"}).find("--timeout"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .rate = -1}).find("--rate"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .arrival = "burst"}).find("--arrival"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .rate = 5, .sweep = "1:4"}).find("--sweep and --rate"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .sweep = "1:4", .max_trials = 2}).find("--max-trials"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .files = {"missing.jpg"}}).find("missing.jpg"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .multipart_field = ""}).find("--multipart needs --file"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .files = {"dog.jpg"}, .multipart_field = "", .base64 = true}).find("cannot be combined"),
            std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .headers = {"NoColon"}}).find("Name:value"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .method = "FETCH"}).find("--method"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .preset = "seed-lambda"}).find("seed-knative, seed-openfaas"), std::string::npos);
  EXPECT_NE(error_of({.url = "http://h/", .gateway = "http://g/"}).find("--function"), std::string::npos);
}

}  // namespace
}  // namespace mlfaas::bench
