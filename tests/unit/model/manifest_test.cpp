#include "model/manifest.h"

#include <gtest/gtest.h>

using namespace mlfaas::model;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_manifest(text, "m.yaml");
  } catch (const ManifestError& e) {
    return e.what();
  }
  return "";
}

TEST(Manifest, BuiltinMobileNetV2MatchesTheGoldenPreprocessing) {
  Manifest m = builtin_mobilenetv2_manifest();
  EXPECT_EQ(m.name, "mobilenetv2");
  EXPECT_EQ(m.input_name, "input");
  EXPECT_EQ(m.output_name, "probabilities");
  EXPECT_EQ(m.output_kind, Manifest::OutputKind::probabilities);
  const auto& p = m.preprocess;
  EXPECT_EQ(p.resize, mlfaas::image::PreprocessSpec::Resize::shorter_side_center_crop);
  EXPECT_EQ(p.resize_size, 256);
  EXPECT_EQ(p.out_height, 224);
  EXPECT_EQ(p.out_width, 224);
  EXPECT_FLOAT_EQ(p.scale, 1.f / 127.5f);
  for (int c = 0; c < 3; ++c) {
    EXPECT_FLOAT_EQ(p.mean[c], 1.f);
    EXPECT_FLOAT_EQ(p.std[c], 1.f);
  }
  EXPECT_TRUE(p.nchw);
  EXPECT_FALSE(p.bgr);
}

TEST(Manifest, JsonAndAllFields) {
  Manifest m = parse_manifest(R"({"name":"r50","version":"7",
      "input":{"name":"data","layout":"NHWC","height":200,"width":300,"color":"BGR"},
      "preprocess":{"resize":"squash","scale":0.0039215686,"mean":[0.485,0.456,0.406],"std":0.25},
      "output":{"name":"out","kind":"logits"},"labels":"classes.txt"})",
                              "m.json");
  EXPECT_EQ(m.name, "r50");
  EXPECT_EQ(m.version, "7");
  EXPECT_EQ(m.input_name, "data");
  EXPECT_FALSE(m.preprocess.nchw);
  EXPECT_TRUE(m.preprocess.bgr);
  EXPECT_EQ(m.preprocess.out_height, 200);
  EXPECT_EQ(m.preprocess.out_width, 300);
  EXPECT_EQ(m.preprocess.resize, mlfaas::image::PreprocessSpec::Resize::squash);
  EXPECT_FLOAT_EQ(m.preprocess.mean[1], 0.456f);
  EXPECT_FLOAT_EQ(m.preprocess.std[2], 0.25f);
  EXPECT_EQ(m.output_kind, Manifest::OutputKind::logits);
  EXPECT_EQ(m.labels, "classes.txt");
}

TEST(Manifest, ErrorsNameTheField) {
  EXPECT_NE(error_of("preprocess: {resize: crop}").find("preprocess.resize"), std::string::npos);
  EXPECT_NE(error_of("input: {layout: CHW}").find("input.layout"), std::string::npos);
  EXPECT_NE(error_of("input: {color: YUV}").find("input.color"), std::string::npos);
  EXPECT_NE(error_of("input: {height: -3}").find("input.height"), std::string::npos);
  EXPECT_NE(error_of("input: {height: abc}").find("input.height"), std::string::npos);
  EXPECT_NE(error_of("preprocess: {mean: [1, 2]}").find("preprocess.mean"), std::string::npos);
  EXPECT_NE(error_of("preprocess: {std: [1, 0, 1]}").find("preprocess.std"), std::string::npos);
  EXPECT_NE(error_of("output: {kind: scores}").find("output.kind"), std::string::npos);
  EXPECT_NE(error_of("preprocess: {resize_size: 100}").find("resize_size"), std::string::npos);
  EXPECT_NE(error_of("[1, 2").find("m.yaml"), std::string::npos);
  EXPECT_NE(error_of("- a\n- b\n").find("mapping"), std::string::npos);
}

}  // namespace
