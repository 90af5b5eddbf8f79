#include <gtest/gtest.h>

#include "inference/engine.h"
#include "inference/onnx_loader.h"
#include "support/onnx_builder.h"
#include "support/paths.h"

using namespace mlfaas::inference;
using namespace mlfaas::test;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

TEST(OnnxLoader, ReadsTinyClassifier) {
  Graph g = load_onnx_bytes(tiny_classifier_onnx(10, 32));
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0].name, "input");
  EXPECT_EQ(g.inputs[0].dims, (Dims{-1, 3, 32, 32}));
  EXPECT_EQ(g.outputs[0].name, "probabilities");
  EXPECT_EQ(g.opset, 13);
  EXPECT_EQ(g.nodes.size(), 12u);
  EXPECT_EQ(g.constant("w1").dims, (Dims{8, 3, 3, 3}));
}

TEST(OnnxLoader, GarbageIsAClearError) {
  EXPECT_NE(error_of([] { load_onnx_bytes("definitely not protobuf \x01\x02\x03"); }).find("not a valid ONNX"),
            std::string::npos);
  EXPECT_NE(error_of([] { load_onnx_bytes(""); }).find("not a valid ONNX"), std::string::npos);
  EXPECT_NE(error_of([] { load_onnx_file("/nonexistent/model.onnx"); }).find("cannot open"), std::string::npos);
}

TEST(OnnxLoader, UnsupportedOpNamesTheNodeAndOp) {
  OnnxBuilder b;
  b.input("x", {-1, 4});
  b.output("y", {-1, 4});
  b.node("Tanh", {"x"}, {"y"}, {}, "my_tanh");
  auto msg = error_of([&] { Engine e(load_onnx_bytes(b.serialize())); });
  EXPECT_NE(msg.find("my_tanh"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Tanh"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not supported"), std::string::npos) << msg;
}

TEST(OnnxLoader, UnsupportedShapeIsALoadTimeError) {
  OnnxBuilder b;
  b.input("x", {-1, 4, 5, 5});
  b.output("y", {-1, 4, 5, 5});
  b.node("Softmax", {"x"}, {"y"}, {{"axis", int64_t(1)}}, "sm");
  auto msg = error_of([&] { Engine e(load_onnx_bytes(b.serialize())); });
  EXPECT_NE(msg.find("sm"), std::string::npos) << msg;
  EXPECT_NE(msg.find("last axis"), std::string::npos) << msg;
}

TEST(OnnxLoader, MismatchedConvChannelsAreRejected) {
  OnnxBuilder b;
  b.input("x", {-1, 3, 5, 5});
  b.output("y", {-1, 4, 5, 5});
  b.initializer("w", {4, 2, 3, 3}, seeded_values(72, 1));
  b.node("Conv", {"x", "w"}, {"y"}, {{"kernel_shape", std::vector<int64_t>{3, 3}}}, "bad_conv");
  auto msg = error_of([&] { Engine e(load_onnx_bytes(b.serialize())); });
  EXPECT_NE(msg.find("bad_conv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("channels"), std::string::npos) << msg;
}

TEST(OnnxLoader, OutOfOrderNodesAreRejected) {
  OnnxBuilder b;
  b.input("x", {-1, 4});
  b.output("y", {-1, 4});
  b.node("Relu", {"t"}, {"y"}, {}, "second");
  b.node("Relu", {"x"}, {"t"}, {}, "first");
  auto msg = error_of([&] { load_onnx_bytes(b.serialize()); });
  EXPECT_NE(msg.find("second"), std::string::npos) << msg;
}

TEST(OnnxLoader, ConstantNodesBecomeInitializers) {
  OnnxBuilder b;
  b.input("x", {-1, 3});
  b.output("y", {-1, 3});
  b.initializer("unused", {1}, {0.f});
  b.node("Relu", {"x"}, {"y"});
  Graph g = load_onnx_bytes(b.serialize());
  EXPECT_TRUE(g.is_constant("unused"));
}

TEST(OnnxLoader, SharedPretrainedModelHasTheDocumentedInterface) {
  MLFAAS_REQUIRE_SHARED_MODEL();
  Graph g = load_onnx_file((*shared_model_dir() / "model.onnx").string());
  EXPECT_EQ(g.inputs[0].name, "input");
  EXPECT_EQ(g.outputs[0].name, "probabilities");
  std::map<std::string, int> ops;
  for (auto& n : g.nodes) ops[n.op]++;
  EXPECT_EQ(ops["Conv"], 52);
  EXPECT_EQ(ops["Clip"], 35);
  EXPECT_EQ(ops["Add"], 10);
}

}  // namespace
