#include "function/kserve_v2_request.h"

#include <gtest/gtest.h>

#include <cstring>

namespace mlfaas::function {
namespace {

const V2ModelInfo kModel{{3, 2, 2}, "prob", 10};

http::Request req(std::string body, long header_length = -1) {
  http::Request r{http::Verb::post, "/v2/models/m/infer", 11};
  if (header_length >= 0) r.set("Inference-Header-Content-Length", std::to_string(header_length));
  r.body() = std::move(body);
  return r;
}

std::string error_of(const std::variant<ParsedInfer, V2Error>& v) {
  auto* e = std::get_if<V2Error>(&v);
  if (!e) return "";
  EXPECT_EQ(unsigned(e->status) / 100, 4u) << e->message;
  return e->message;
}

TEST(KServeV2Request, BytesAsJsonBase64) {
  auto v = parse_v2_infer(req(R"({"id":"7","inputs":[{"name":"in","datatype":"BYTES","shape":[2],"data":["YWJj","ZGVm"]}]})"),
                          kModel, 8);
  ASSERT_TRUE(std::holds_alternative<ParsedInfer>(v)) << error_of(v);
  auto& p = std::get<ParsedInfer>(v);
  EXPECT_EQ(p.id, "7");
  EXPECT_EQ(p.batch, 2);
  ASSERT_EQ(p.images.size(), 2u);
  EXPECT_EQ(p.images[0], "abc");
  ASSERT_EQ(p.outputs.size(), 1u);
  EXPECT_EQ(p.outputs[0].name, "prob");
}

TEST(KServeV2Request, Fp32AsJsonAndBinaryWithClassification) {
  std::string data;
  for (int i = 0; i < 12; ++i) data += (i ? "," : "") + std::to_string(i);
  auto json = parse_v2_infer(req(R"({"inputs":[{"name":"in","datatype":"FP32","shape":[1,3,2,2],"data":[)" + data + "]}]," +
                                 R"("outputs":[{"name":"prob","parameters":{"classification":3}}]})"),
                             kModel, 8);
  ASSERT_TRUE(std::holds_alternative<ParsedInfer>(json)) << error_of(json);
  EXPECT_EQ(std::get<ParsedInfer>(json).tensor.size(), 12u);
  EXPECT_EQ(std::get<ParsedInfer>(json).outputs[0].classification, 3);

  std::string header = R"({"inputs":[{"name":"in","datatype":"FP32","shape":[1,3,2,2],"parameters":{"binary_data_size":48}}]})";
  std::string bin(48, '\0');
  float f = 1.5f;
  std::memcpy(bin.data(), &f, 4);
  auto binary = parse_v2_infer(req(header + bin, long(header.size())), kModel, 8);
  ASSERT_TRUE(std::holds_alternative<ParsedInfer>(binary)) << error_of(binary);
  EXPECT_FLOAT_EQ(std::get<ParsedInfer>(binary).tensor[0], 1.5f);
}

TEST(KServeV2Request, MalformedRequestsAre400sNamingTheProblem) {
  EXPECT_NE(error_of(parse_v2_infer(req("{"), kModel, 8)).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(parse_v2_infer(req("[]"), kModel, 8)).find("JSON object"), std::string::npos);
  EXPECT_NE(error_of(parse_v2_infer(req(R"({"inputs":[5]})"), kModel, 8)).find("object"), std::string::npos);
  EXPECT_NE(error_of(parse_v2_infer(req(R"({"inputs":[{"name":"in","datatype":"BYTES","shape":[9],"data":[]}]})"), kModel, 8))
                .find("batch size 9"),
            std::string::npos);
  EXPECT_NE(error_of(parse_v2_infer(req(R"({"inputs":[{"name":"in","datatype":"FP32","shape":[1,3,4,4],"data":[1]}]})"), kModel, 8))
                .find("shape"),
            std::string::npos);
  EXPECT_NE(error_of(parse_v2_infer(req(R"({"inputs":[{"name":"in","datatype":"INT8","shape":[1],"data":[1]}]})"), kModel, 8))
                .find("datatype"),
            std::string::npos);
  EXPECT_NE(error_of(parse_v2_infer(req("{}", 99), kModel, 8)).find("Inference-Header-Content-Length"), std::string::npos);
  EXPECT_NE(error_of(parse_v2_infer(req(R"({"inputs":[{"name":"in","datatype":"BYTES","shape":[1],"data":["YQ=="]}],)"
                                        R"("outputs":[{"name":"nope"}]})"),
                                    kModel, 8))
                .find("unknown output"),
            std::string::npos);
}

}  // namespace
}  // namespace mlfaas::function
