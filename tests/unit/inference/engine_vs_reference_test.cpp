// Every supported op through the oneDNN engine against the reference interpreter, on small random
// tensors, at several batch sizes and thread counts.
#include <gtest/gtest.h>

#include "engine_check.h"

using namespace mlfaas::test;
using Ints = std::vector<int64_t>;

namespace {

struct ConvCase {
  const char* name;
  int64_t c, m, h, w, k, stride, group, dil;
  Ints pads;
  bool bias;
  std::string auto_pad;
};

std::string conv_model(const ConvCase& cc) {
  OnnxBuilder b;
  b.input("x", {-1, cc.c, cc.h, cc.w});
  b.output("y", {-1, -1, -1, -1});
  b.initializer("w", {cc.m, cc.c / cc.group, cc.k, cc.k}, seeded_values(size_t(cc.m * cc.c / cc.group * cc.k * cc.k), 3));
  std::vector<std::string> ins = {"x", "w"};
  if (cc.bias) {
    b.initializer("b", {cc.m}, seeded_values(cc.m, 4));
    ins.push_back("b");
  }
  std::vector<std::pair<std::string, OnnxAttr>> attrs = {
      {"kernel_shape", Ints{cc.k, cc.k}}, {"strides", Ints{cc.stride, cc.stride}},
      {"group", cc.group}, {"dilations", Ints{cc.dil, cc.dil}}};
  if (!cc.auto_pad.empty()) attrs.push_back({"auto_pad", cc.auto_pad});
  else attrs.push_back({"pads", cc.pads});
  b.node("Conv", ins, {"y"}, attrs);
  return b.serialize();
}

class ConvTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvTest, MatchesReference) {
  const auto& cc = GetParam();
  for (int64_t batch : {1, 3})
    for (int threads : {1, 2}) {
      SCOPED_TRACE(::testing::Message() << "batch " << batch << " threads " << threads);
      expect_close(run_both(conv_model(cc), batch, threads));
    }
}

INSTANTIATE_TEST_SUITE_P(
    Ops, ConvTest,
    ::testing::Values(ConvCase{"plain3x3", 3, 8, 9, 11, 3, 1, 1, 1, {1, 1, 1, 1}, true, ""},
                      ConvCase{"stride2_tf_pads", 8, 16, 12, 12, 3, 2, 1, 1, {0, 0, 1, 1}, true, ""},
                      ConvCase{"pointwise", 16, 24, 7, 5, 1, 1, 1, 1, {0, 0, 0, 0}, true, ""},
                      ConvCase{"depthwise", 16, 16, 10, 10, 3, 1, 16, 1, {1, 1, 1, 1}, true, ""},
                      ConvCase{"depthwise_s2", 24, 24, 13, 13, 3, 2, 24, 1, {0, 0, 1, 1}, false, ""},
                      ConvCase{"grouped", 8, 12, 6, 6, 3, 1, 4, 1, {1, 1, 1, 1}, true, ""},
                      ConvCase{"dilated", 5, 7, 12, 12, 3, 1, 1, 2, {2, 2, 2, 2}, true, ""},
                      ConvCase{"kernel5_asym", 3, 6, 11, 8, 5, 2, 1, 1, {2, 1, 0, 3}, false, ""},
                      ConvCase{"same_upper", 4, 4, 9, 9, 3, 2, 1, 1, {}, true, "SAME_UPPER"},
                      ConvCase{"odd_channels", 5, 3, 4, 4, 3, 1, 1, 1, {1, 1, 1, 1}, true, ""}),
    [](const auto& info) { return std::string(info.param.name); });

std::string unary_chain(const std::string& op, const std::vector<std::pair<std::string, OnnxAttr>>& attrs,
                        bool clip_inputs = false) {
  OnnxBuilder b;
  b.input("x", {-1, 6, 5, 5});
  b.output("y", {-1, 6, 5, 5});
  // Pooling first so the op under test is not fused into a conv.
  b.node("MaxPool", {"x"}, {"p"}, {{"kernel_shape", Ints{1, 1}}});
  std::vector<std::string> ins = {"p"};
  if (clip_inputs) {
    b.initializer("lo", {}, {-0.5f});
    b.initializer("hi", {}, {0.75f});
    ins = {"p", "lo", "hi"};
  }
  b.node(op, ins, {"y"}, attrs);
  return b.serialize();
}

TEST(Ops, Relu) { expect_close(run_both(unary_chain("Relu", {}), 2, 1)); }
TEST(Ops, ClipWithInputs) { expect_close(run_both(unary_chain("Clip", {}, true), 2, 1)); }
TEST(Ops, ClipWithAttributesOldOpset) {
  OnnxBuilder b(6);
  b.input("x", {-1, 4, 3, 3});
  b.output("y", {-1, 4, 3, 3});
  b.node("Clip", {"x"}, {"y"}, {{"min", -0.25f}, {"max", 0.5f}});
  expect_close(run_both(b.serialize(), 2, 1));
}
TEST(Ops, IdentityAndDropoutArePassThrough) {
  OnnxBuilder b;
  b.input("x", {-1, 4, 3, 3});
  b.output("y", {-1, 4, 3, 3});
  b.node("Identity", {"x"}, {"a"});
  b.node("Dropout", {"a"}, {"b"});
  b.node("Relu", {"b"}, {"y"});
  expect_close(run_both(b.serialize(), 2, 1));
}

TEST(Ops, AddSameShapeAndBroadcastConstant) {
  OnnxBuilder b;
  b.input("x", {-1, 8, 6, 6});
  b.output("y", {-1, 8, 6, 6});
  b.node("MaxPool", {"x"}, {"p"}, {{"kernel_shape", Ints{1, 1}}});
  b.node("AveragePool", {"x"}, {"q"}, {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}});
  b.node("Add", {"p", "q"}, {"s"});
  b.initializer("bias", {8, 1, 1}, seeded_values(8, 9));
  b.node("Add", {"bias", "s"}, {"t"});
  b.node("Relu", {"t"}, {"y"});
  auto r = run_both(b.serialize(), 3, 2);
  expect_close(r);
  EXPECT_TRUE(plan_has(r, "+relu")) << plan_text(r);
}

TEST(Ops, StandaloneBatchNormalization) {
  OnnxBuilder b;
  b.input("x", {-1, 6, 4, 4});
  b.output("y", {-1, 6, 4, 4});
  b.node("MaxPool", {"x"}, {"p"}, {{"kernel_shape", Ints{1, 1}}});
  b.initializer("s", {6}, seeded_values(6, 1, 0.5f, 1.5f));
  b.initializer("b", {6}, seeded_values(6, 2));
  b.initializer("m", {6}, seeded_values(6, 3));
  b.initializer("v", {6}, seeded_values(6, 4, 0.1f, 2.f));
  b.node("BatchNormalization", {"p", "s", "b", "m", "v"}, {"y"}, {{"epsilon", 1e-3f}});
  expect_close(run_both(b.serialize(), 2, 1));
}

TEST(Ops, BatchNormFoldedIntoConv) {
  OnnxBuilder b;
  b.input("x", {-1, 3, 8, 8});
  b.output("y", {-1, 4, 8, 8});
  b.initializer("w", {4, 3, 3, 3}, seeded_values(108, 5));
  b.node("Conv", {"x", "w"}, {"c"}, {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}});
  b.initializer("s", {4}, seeded_values(4, 1, 0.5f, 1.5f));
  b.initializer("b", {4}, seeded_values(4, 2));
  b.initializer("m", {4}, seeded_values(4, 3));
  b.initializer("v", {4}, seeded_values(4, 4, 0.1f, 2.f));
  b.node("BatchNormalization", {"c", "s", "b", "m", "v"}, {"bn"});
  b.node("Relu", {"bn"}, {"y"});
  auto r = run_both(b.serialize(), 2, 1);
  expect_close(r);
  EXPECT_EQ(r.plan.size(), 2u) << plan_text(r);  // conv(+bn+relu) and the output reorder
}

struct PoolCase {
  const char* name;
  std::string op;
  Ints kernel, strides, pads;
  int64_t ceil, include_pad;
};
class PoolTest : public ::testing::TestWithParam<PoolCase> {};
TEST_P(PoolTest, MatchesReference) {
  const auto& pc = GetParam();
  OnnxBuilder b;
  b.input("x", {-1, 8, 11, 9});
  b.output("y", {-1, -1, -1, -1});
  std::vector<std::pair<std::string, OnnxAttr>> attrs = {
      {"kernel_shape", pc.kernel}, {"strides", pc.strides}, {"pads", pc.pads}, {"ceil_mode", pc.ceil}};
  if (pc.op == "AveragePool") attrs.push_back({"count_include_pad", pc.include_pad});
  b.node(pc.op, {"x"}, {"y"}, attrs);
  for (int threads : {1, 2}) expect_close(run_both(b.serialize(), 2, threads));
}
INSTANTIATE_TEST_SUITE_P(
    Ops, PoolTest,
    ::testing::Values(PoolCase{"max3s2", "MaxPool", {3, 3}, {2, 2}, {1, 1, 1, 1}, 0, 0},
                      PoolCase{"max_ceil", "MaxPool", {3, 3}, {2, 2}, {0, 0, 0, 0}, 1, 0},
                      PoolCase{"max2x2", "MaxPool", {2, 2}, {2, 2}, {0, 0, 0, 0}, 0, 0},
                      PoolCase{"avg_exclude", "AveragePool", {3, 3}, {2, 2}, {1, 1, 1, 1}, 0, 0},
                      PoolCase{"avg_include", "AveragePool", {3, 3}, {1, 1}, {1, 0, 1, 2}, 0, 1},
                      PoolCase{"avg_ceil", "AveragePool", {2, 2}, {2, 2}, {0, 0, 0, 0}, 1, 0}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Ops, GlobalAveragePoolFlattenGemmSoftmax) {
  for (int64_t transB : {0, 1}) {
    OnnxBuilder b;
    b.input("x", {-1, 12, 5, 5});
    b.output("y", {-1, 7});
    b.node("GlobalAveragePool", {"x"}, {"g"});
    b.node("Flatten", {"g"}, {"f"}, {{"axis", int64_t(1)}});
    b.initializer("B", transB ? Ints{7, 12} : Ints{12, 7}, seeded_values(84, 6));
    b.initializer("C", {7}, seeded_values(7, 7));
    b.node("Gemm", {"f", "B", "C"}, {"l"}, {{"transB", transB}, {"alpha", 0.5f}, {"beta", 2.f}});
    b.node("Softmax", {"l"}, {"y"}, {{"axis", int64_t(1)}});
    for (int64_t batch : {1, 4}) {
      auto r = run_both(b.serialize(), batch, 1);
      expect_close(r);
      EXPECT_FALSE(plan_has(r, "reorder f")) << plan_text(r);  // flatten fused into the inner product
    }
  }
}

TEST(Ops, FlattenOfSpatialTensorThenMatMul) {
  OnnxBuilder b;
  b.input("x", {-1, 4, 3, 3});
  b.output("y", {-1, 5});
  b.node("MaxPool", {"x"}, {"p"}, {{"kernel_shape", Ints{1, 1}}});
  b.node("Flatten", {"p"}, {"f"});
  b.initializer("B", {36, 5}, seeded_values(180, 8));
  b.node("MatMul", {"f", "B"}, {"y"});
  expect_close(run_both(b.serialize(), 3, 2));
}

TEST(Ops, ReshapeThenGemmThenReshapeBack) {
  OnnxBuilder b;
  b.input("x", {-1, 2, 3, 4});
  b.output("y", {-1, 2, 5});
  b.initializer_i64("shape1", {2}, {0, -1});
  b.node("Reshape", {"x", "shape1"}, {"r"});
  b.initializer("B", {10, 24}, seeded_values(240, 9));
  b.node("Gemm", {"r", "B"}, {"g"}, {{"transB", int64_t(1)}});
  b.initializer_i64("shape2", {3}, {0, 2, 5});
  b.node("Reshape", {"g", "shape2"}, {"y"});
  expect_close(run_both(b.serialize(), 2, 1));
}

TEST(Ops, ConcatOfConvOutputs) {
  OnnxBuilder b;
  b.input("x", {-1, 3, 6, 6});
  b.output("y", {-1, 13, 6, 6});
  b.initializer("w1", {8, 3, 3, 3}, seeded_values(216, 1));
  b.initializer("w2", {5, 3, 1, 1}, seeded_values(15, 2));
  b.node("Conv", {"x", "w1"}, {"a"}, {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}});
  b.node("Conv", {"x", "w2"}, {"c"}, {{"kernel_shape", Ints{1, 1}}});
  b.node("Concat", {"a", "c"}, {"y"}, {{"axis", int64_t(1)}});
  for (int threads : {1, 2}) expect_close(run_both(b.serialize(), 2, threads));
}

TEST(Ops, SoftmaxOverLastAxisOfWideRows) {
  OnnxBuilder b;
  b.input("x", {-1, 1000});
  b.output("y", {-1, 1000});
  b.node("Softmax", {"x"}, {"y"});
  expect_close(run_both(b.serialize(), 5, 1), 1e-5f);
}

}  // namespace
