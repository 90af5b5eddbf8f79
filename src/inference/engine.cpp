#include "inference/engine.h"

#include <fmt/format.h>

#include "inference/graph_passes.h"
#include "inference/shape_inference.h"

namespace mlfaas::inference {

Engine::Engine(Graph g, PlanOptions opts)
    : graph_(std::move(g)), opts_(std::move(opts)), engine_(dnnl::engine::kind::cpu, 0), weights_(engine_) {
  optimize(graph_);
  if (opts_.output.empty()) opts_.output = graph_.outputs.at(0).name;
  auto shapes = infer_shapes(graph_, 1);  // validates every op and shape up front
  const Dims& in = shapes.at(graph_.inputs[0].name);
  image_dims_.assign(in.begin() + 1, in.end());
  auto it = shapes.find(opts_.output);
  if (it == shapes.end()) throw ModelError("the model has no output named '" + opts_.output + "'");
  if (it->second.empty() || it->second[0] != 1)
    throw ModelError(fmt::format("output '{}' has shape {}; expected [N, classes]", opts_.output,
                                 dims_str(it->second)));
  output_size_ = element_count(it->second);
}

int64_t Engine::image_input_size() const { return element_count(image_dims_); }

const Plan& Engine::plan(int64_t batch, int threads) {
  {
    std::lock_guard lk(mu_);
    auto it = plans_.find({batch, threads});
    if (it != plans_.end()) return *it->second;
  }
  // Built outside the lock so plans for different shapes can be built in parallel (warm-up builds
  // the 1-thread and the all-cores plan at once). Two racing builders of the same plan both build;
  // the first one stored wins.
  auto built = Plan::build(graph_, batch, threads, weights_, engine_, opts_);
  std::lock_guard lk(mu_);
  auto& slot = plans_[{batch, threads}];
  if (!slot) slot = std::move(built);
  return *slot;
}

void Engine::run(ExecContext& ctx, const float* input, int64_t batch, float* output, int threads) {
  ctx.run(plan(batch, threads), input, output);
}

}  // namespace mlfaas::inference
