#pragma once
// Shared by the inference tests: run a model through the oneDNN engine and through the reference
// interpreter on the same seeded input, and compare.
#include <gtest/gtest.h>

#include <cmath>

#include "inference/engine.h"
#include "inference/onnx_loader.h"
#include "inference/reference_interpreter.h"
#include "support/onnx_builder.h"

namespace mlfaas::test {

struct EngineRun {
  std::vector<float> engine, reference;
  std::vector<std::string> plan;
};

inline EngineRun run_both(const std::string& onnx, int64_t batch, int threads, bool fuse_dw = true,
                          uint32_t seed = 42) {
  using namespace mlfaas::inference;
  Graph g = load_onnx_bytes(onnx);
  Engine e(g, PlanOptions{fuse_dw, ""});
  std::vector<float> in = seeded_values(size_t(batch * e.image_input_size()), seed, -2.f, 2.f);
  EngineRun r;
  r.engine.resize(size_t(batch * e.output_size()));
  ExecContext ctx(e.dnnl_engine());
  e.run(ctx, in.data(), batch, r.engine.data(), threads);
  Dims dims = {batch};
  dims.insert(dims.end(), e.image_dims().begin(), e.image_dims().end());
  auto ref = run_reference(g, HostTensor{dims, in});
  r.reference = ref.at(e.output_name()).data;
  r.plan = e.plan(batch, threads).describe();
  return r;
}

// |engine - reference| <= tol * (1 + |reference|) everywhere.
inline void expect_close(const EngineRun& r, float tol = 1e-4f) {
  ASSERT_EQ(r.engine.size(), r.reference.size());
  size_t bad = 0;
  for (size_t i = 0; i < r.engine.size(); ++i) {
    if (!(std::fabs(r.engine[i] - r.reference[i]) <= tol * (1.f + std::fabs(r.reference[i])))) {
      if (++bad <= 5)
        ADD_FAILURE() << "element " << i << ": engine " << r.engine[i] << " reference " << r.reference[i];
    }
  }
  EXPECT_EQ(bad, 0u);
}

inline bool plan_has(const EngineRun& r, const std::string& needle) {
  for (auto& s : r.plan)
    if (s.find(needle) != std::string::npos) return true;
  return false;
}

inline std::string plan_text(const EngineRun& r) {
  std::string s;
  for (auto& l : r.plan) s += l + "\n";
  return s;
}

}  // namespace mlfaas::test
