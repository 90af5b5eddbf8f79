// The real pretrained MobileNetV2 through the engine: agrees with the reference interpreter, and
// batch/thread variants agree with each other. (Golden photos are checked in the function tests.)
#include <gtest/gtest.h>

#include <cmath>

#include "inference/engine.h"
#include "inference/onnx_loader.h"
#include "inference/reference_interpreter.h"
#include "support/onnx_builder.h"
#include "support/paths.h"

using namespace mlfaas::inference;
using namespace mlfaas::test;

TEST(MobileNetV2, EngineMatchesReferenceInterpreter) {
  MLFAAS_REQUIRE_SHARED_MODEL();
  Graph g = load_onnx_file((*shared_model_dir() / "model.onnx").string());
  Engine e(g);
  ASSERT_EQ(e.image_dims(), (Dims{3, 224, 224}));
  ASSERT_EQ(e.output_size(), 1000);
  auto input = seeded_values(3 * 224 * 224, 5);
  std::vector<float> out(1000);
  ExecContext ctx(e.dnnl_engine());
  e.run(ctx, input.data(), 1, out.data(), 1);
  auto ref = run_reference(g, HostTensor{{1, 3, 224, 224}, input}).at("probabilities").data;
  for (int k = 0; k < 1000; ++k) ASSERT_NEAR(out[k], ref[k], 1e-5f) << k;
}

TEST(MobileNetV2, BatchesAndThreadCountsAgree) {
  MLFAAS_REQUIRE_SHARED_MODEL();
  Engine e(load_onnx_file((*shared_model_dir() / "model.onnx").string()));
  ExecContext ctx(e.dnnl_engine());
  const int64_t B = 3, in = e.image_input_size();
  auto input = seeded_values(size_t(B * in), 6);
  std::vector<float> batched(B * 1000), single(1000);
  e.run(ctx, input.data(), B, batched.data(), 2);
  for (int64_t n = 0; n < B; ++n) {
    e.run(ctx, input.data() + n * in, 1, single.data(), 1);
    for (int k = 0; k < 1000; ++k) ASSERT_NEAR(batched[n * 1000 + k], single[k], 1e-5f);
  }
}
