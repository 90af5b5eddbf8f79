#pragma once
// The inference engine of one model: the optimized graph, its reordered weights, and execution
// plans built on demand per (batch size, thread count). Thread-safe: workers share one Engine and
// each runs with its own ExecContext.
#include <map>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>

#include "inference/dnnl_plan.h"
#include "inference/graph.h"

namespace mlfaas::inference {

class Engine {
 public:
  // Takes the graph as loaded; runs the graph passes and validates shapes for batch 1.
  explicit Engine(Graph g, PlanOptions opts = {});

  const Graph& graph() const { return graph_; }
  const dnnl::engine& dnnl_engine() const { return engine_; }
  // Per-image input dims (without the batch), e.g. {3, 224, 224}; and per-image output size.
  const Dims& image_dims() const { return image_dims_; }
  int64_t image_input_size() const;
  int64_t output_size() const { return output_size_; }
  std::string output_name() const { return opts_.output; }

  // The plan for (batch, threads), built on first use (tens of ms) and cached.
  const Plan& plan(int64_t batch, int threads);
  // input: batch * image_input_size() floats (NCHW); output: batch * output_size() floats.
  void run(ExecContext& ctx, const float* input, int64_t batch, float* output, int threads);
  // Bytes of reordered weights held (for metrics/inspect).
  size_t weight_bytes() const { return weights_.bytes(); }

 private:
  Graph graph_;
  PlanOptions opts_;
  dnnl::engine engine_;
  WeightCache weights_;
  Dims image_dims_;
  int64_t output_size_ = 0;
  std::mutex mu_;
  std::map<std::pair<int64_t, int>, std::unique_ptr<Plan>> plans_;
};

}  // namespace mlfaas::inference
