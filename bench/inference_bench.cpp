// MobileNetV2 inference through the oneDNN engine: batch 1 and 8, 1 and 2 threads.
// Needs the shared pretrained model (../shared/models/mobilenetv2 or $MLFAAS_SHARED_MODEL_DIR).
//   build/bench/inference_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <memory>

#include "inference/engine.h"
#include "inference/onnx_loader.h"
#include "support/onnx_builder.h"
#include "support/paths.h"

using namespace mlfaas;

namespace {

inference::Engine* engine(bool fuse_dw = true) {
  static std::unique_ptr<inference::Engine> fused, unfused;
  auto& e = fuse_dw ? fused : unfused;
  if (!e) {
    auto dir = test::shared_model_dir();
    if (!dir) return nullptr;
    e = std::make_unique<inference::Engine>(inference::load_onnx_file((*dir / "model.onnx").string()),
                                            inference::PlanOptions{fuse_dw, ""});
  }
  return e.get();
}

void run(benchmark::State& state, bool fuse_dw) {
  auto* e = engine(fuse_dw);
  if (!e) {
    state.SkipWithError("shared MobileNetV2 not found");
    return;
  }
  const int64_t batch = state.range(0);
  const int threads = int(state.range(1));
  inference::ExecContext ctx(e->dnnl_engine());
  auto input = test::seeded_values(size_t(batch * e->image_input_size()), 1);
  std::vector<float> output(size_t(batch * e->output_size()));
  e->run(ctx, input.data(), batch, output.data(), threads);  // build the plan, warm caches
  for (auto _ : state) {
    e->run(ctx, input.data(), batch, output.data(), threads);
    benchmark::DoNotOptimize(output.data());
  }
  state.counters["images/s"] = benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_MobileNetV2(benchmark::State& s) { run(s, true); }
void BM_MobileNetV2_NoDwFusion(benchmark::State& s) { run(s, false); }

void BM_PlanBuild(benchmark::State& state) {
  auto dir = test::shared_model_dir();
  if (!dir) {
    state.SkipWithError("shared MobileNetV2 not found");
    return;
  }
  auto g = inference::load_onnx_file((*dir / "model.onnx").string());
  for (auto _ : state) {
    inference::Engine e(g);
    benchmark::DoNotOptimize(&e.plan(1, int(state.range(0))));
  }
}

void BM_ModelLoad(benchmark::State& state) {
  auto dir = test::shared_model_dir();
  if (!dir) {
    state.SkipWithError("shared MobileNetV2 not found");
    return;
  }
  for (auto _ : state) {
    inference::Engine e(inference::load_onnx_file((*dir / "model.onnx").string()));
    benchmark::DoNotOptimize(&e);
  }
}

}  // namespace

BENCHMARK(BM_MobileNetV2)->ArgNames({"batch", "threads"})->Args({1, 1})->Args({1, 2})->Args({8, 1})->Args({8, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MobileNetV2_NoDwFusion)->ArgNames({"batch", "threads"})->Args({1, 1})->Args({1, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlanBuild)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ModelLoad)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
