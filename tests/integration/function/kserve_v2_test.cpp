// KServe Open Inference Protocol v2 against the real server.
#include <gtest/gtest.h>

#include <cstring>

#include "common/base64.h"
#include "service_fixture.h"
#include "support/onnx_builder.h"

using namespace mlfaas::test;
namespace json = boost::json;

namespace {

class KServeV2 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { svc = start_service(tiny_model_dir()).release(); }
  static void TearDownTestSuite() { delete svc; }
  static Service* svc;
  static HttpResult infer(const std::string& body, const Headers& extra = {}) {
    Headers h = {{"Content-Type", "application/json"}};
    h.insert(h.end(), extra.begin(), extra.end());
    return http_call(svc->port, "POST", "/v2/models/tiny/infer", body, h);
  }
};
Service* KServeV2::svc = nullptr;

TEST_F(KServeV2, ServerAndModelMetadataAndHealth) {
  auto s = svc->get("/v2");
  ASSERT_EQ(s.status, 200);
  auto ext = s.json().as_object().at("extensions").as_array();
  EXPECT_NE(std::find(ext.begin(), ext.end(), json::value("classification")), ext.end());
  EXPECT_EQ(svc->get("/v2/health/live").status, 200);
  EXPECT_EQ(svc->get("/v2/health/ready").status, 200);
  EXPECT_EQ(svc->get("/v2/models/tiny/ready").status, 200);
  EXPECT_EQ(svc->get("/v2/models/tiny/versions/1/ready").status, 200);
  auto m = svc->get("/v2/models/tiny");
  ASSERT_EQ(m.status, 200);
  const auto& o = m.json().as_object();
  EXPECT_EQ(o.at("name").as_string(), "tiny");
  EXPECT_EQ(o.at("platform").as_string(), "onnx_onnxv1");
  EXPECT_EQ(o.at("inputs").as_array()[0].as_object().at("shape"), json::parse("[-1,3,32,32]"));
  EXPECT_EQ(o.at("outputs").as_array()[0].as_object().at("name").as_string(), "probabilities");
  EXPECT_EQ(svc->get("/v2/models/other").status, 404);
  EXPECT_EQ(svc->get("/v2/models/tiny/versions/9").status, 404);
}

TEST_F(KServeV2, BytesInputJsonWithClassificationExtension) {
  const std::string img = test_jpeg();
  auto raw = svc->post("/classify?top_k=3", img, "image/jpeg");
  auto r = infer(R"({"id":"req-1","inputs":[{"name":"input","shape":[1],"datatype":"BYTES","data":[")" +
                 mlfaas::base64_encode(img) +
                 R"("]}],"outputs":[{"name":"probabilities","parameters":{"classification":3}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& o = r.json().as_object();
  EXPECT_EQ(o.at("id").as_string(), "req-1");
  EXPECT_EQ(o.at("model_name").as_string(), "tiny");
  const auto& out = o.at("outputs").as_array()[0].as_object();
  EXPECT_EQ(out.at("datatype").as_string(), "BYTES");
  EXPECT_EQ(out.at("shape"), json::parse("[1,3]"));
  const auto& cells = out.at("data").as_array();
  const auto& want = raw.json().as_object().at("predictions").as_array();
  for (size_t i = 0; i < 3; ++i) {
    std::string cell(cells[i].as_string());  // "score:index:label"
    auto a = cell.find(':'), b = cell.find(':', a + 1);
    EXPECT_EQ(std::stoll(cell.substr(a + 1, b - a - 1)), want[i].as_object().at("index").as_int64()) << cell;
    EXPECT_EQ(cell.substr(b + 1), std::string(want[i].as_object().at("label").as_string()));
    EXPECT_NEAR(std::stod(cell.substr(0, a)), want[i].as_object().at("confidence").to_number<double>(), 1e-5);
  }
}

TEST_F(KServeV2, Fp32InputReturnsTheFullOutputTensor) {
  auto tensor = seeded_values(3 * 32 * 32, 9, -1.f, 1.f);
  std::string data;
  for (size_t i = 0; i < tensor.size(); ++i) data += (i ? "," : "") + std::to_string(tensor[i]);
  auto r = infer(R"({"inputs":[{"name":"input","shape":[1,3,32,32],"datatype":"FP32","data":[)" + data + "]}]}");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& out = r.json().as_object().at("outputs").as_array()[0].as_object();
  EXPECT_EQ(out.at("datatype").as_string(), "FP32");
  EXPECT_EQ(out.at("shape"), json::parse("[1,10]"));
  double sum = 0;
  for (auto& v : out.at("data").as_array()) sum += v.to_number<double>();
  EXPECT_NEAR(sum, 1.0, 1e-4);
}

TEST_F(KServeV2, BinaryTensorDataExtensionBothWays) {
  // Two encoded images as binary BYTES (4-byte little-endian length prefix each), binary output.
  const std::string a = test_jpeg(64, 48, 1), b = test_png(40, 40, 2);
  std::string bin;
  for (const std::string* s : {&a, &b}) {
    uint32_t n = uint32_t(s->size());
    bin.append(reinterpret_cast<const char*>(&n), 4);
    bin += *s;
  }
  std::string header = R"({"inputs":[{"name":"input","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":)" +
                       std::to_string(bin.size()) + R"(}}],"outputs":[{"name":"probabilities","parameters":{"binary_data":true}}]})";
  auto r = http_call(svc->port, "POST", "/v2/models/tiny/infer", header + bin,
                     {{"Content-Type", "application/octet-stream"},
                      {"Inference-Header-Content-Length", std::to_string(header.size())}});
  ASSERT_EQ(r.status, 200) << r.body;
  size_t hl = std::stoul(r.header("inference-header-content-length"));
  auto head = json::parse(r.body.substr(0, hl)).as_object();
  const auto& out = head.at("outputs").as_array()[0].as_object();
  EXPECT_EQ(out.at("shape"), json::parse("[2,10]"));
  ASSERT_EQ(out.at("parameters").as_object().at("binary_data_size").as_int64(), 80);
  ASSERT_EQ(r.body.size(), hl + 80);
  std::vector<float> probs(20);
  std::memcpy(probs.data(), r.body.data() + hl, 80);
  auto single = svc->post("/classify?top_k=10", b, "image/png").json().as_object().at("predictions").as_array();
  for (auto& p : single) {
    int64_t idx = p.as_object().at("index").as_int64();
    EXPECT_NEAR(probs[10 + idx], p.as_object().at("confidence").to_number<double>(), 1e-5);
  }
}

TEST_F(KServeV2, ErrorsAre400WithAMessage) {
  auto check = [&](const std::string& body, const std::string& needle) {
    auto r = infer(body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(r.body.find(needle), std::string::npos) << r.body;
  };
  check("{", "not valid JSON");
  check(R"({"inputs":[]})", "exactly one input");
  check(R"({"inputs":[{"name":"input","shape":[1,3,8,8],"datatype":"FP32","data":[1]}]})", "must have shape [1,3,32,32]");
  check(R"({"inputs":[{"name":"input","shape":[1],"datatype":"INT8","data":[1]}]})", "datatype must be BYTES");
  check(R"({"inputs":[{"name":"input","shape":[2],"datatype":"BYTES","data":["aGVsbG8="]}]})", "2 elements");
  check(R"({"inputs":[{"name":"input","shape":[1],"datatype":"BYTES","data":["aGVsbG8="]}],"outputs":[{"name":"x"}]})",
        "unknown output");
  auto r = infer(R"({"inputs":[{"name":"input","shape":[1],"datatype":"BYTES","data":["aGVsbG8="]}]})");
  EXPECT_EQ(r.status, 415) << r.body;  // "hello" is not an image
  EXPECT_EQ(http_call(svc->port, "GET", "/v2/models/tiny/infer").status, 405);
}

}  // namespace
