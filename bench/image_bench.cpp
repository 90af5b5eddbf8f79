// Image decode and preprocessing costs per request: full vs DCT-scaled JPEG decode, a large PNG,
// preprocessing alone, and the whole bytes -> tensor pipeline.
//   build-image/bench/image_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "image/pipeline.h"
#include "support/paths.h"

namespace {

using namespace mlfaas::image;
namespace fs = std::filesystem;

// The file's bytes, or "" when the photo/seed file is not available.
std::string load(const std::string& name) {
  fs::path p;
  if (name == "knative-image.png") p = mlfaas::test::source_dir().parent_path() / "shared" / "seed-study" / name;
  else if (auto dir = mlfaas::test::photos_dir()) p = *dir / name;
  return fs::exists(p) ? mlfaas::test::read_binary(p) : std::string();
}

std::span<const uint8_t> bytes_of(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Decode at full size (scaled = false) or at the DCT scale preprocessing needs (scaled = true).
void decode_bench(benchmark::State& state, const std::string& name, bool scaled) {
  std::string data = load(name);
  if (data.empty()) return state.SkipWithError(("missing " + name).c_str());
  auto b = bytes_of(data);
  DecodeOptions opt;
  if (scaled) {
    ImageInfo info = probe(b, opt.max_pixels);
    MinDecodeSize m = min_decode_size(info.display_height(), info.display_width(), PreprocessSpec{});
    opt.min_width = m.width, opt.min_height = m.height;
  }
  Image im;
  for (auto _ : state) {
    im = decode(b, opt);
    benchmark::DoNotOptimize(im.rgb.data());
  }
  state.SetLabel(std::to_string(im.width) + "x" + std::to_string(im.height));
}

void pipeline_bench(benchmark::State& state, const std::string& name, bool scaled) {
  std::string data = load(name);
  if (data.empty()) return state.SkipWithError(("missing " + name).c_str());
  std::vector<float> out(3 * 224 * 224);
  for (auto _ : state) {
    decode_and_preprocess(bytes_of(data), PreprocessSpec{}, out.data(), scaled);
    benchmark::DoNotOptimize(out.data());
  }
}

void BM_Preprocess(benchmark::State& state) {
  std::string data = load("dog.jpg");
  if (data.empty()) return state.SkipWithError("missing dog.jpg");
  Image im = decode(bytes_of(data));
  std::vector<float> out(3 * 224 * 224);
  for (auto _ : state) {
    preprocess(im, PreprocessSpec{}, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(out.size()));
}

}  // namespace

BENCHMARK_CAPTURE(decode_bench, dog_full, std::string("dog.jpg"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_bench, dog_dct, std::string("dog.jpg"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_bench, kite_full, std::string("kite.jpg"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_bench, kite_dct, std::string("kite.jpg"), true)->Unit(benchmark::kMillisecond);
// PNG has no DCT scaling: only the full decode exists.
BENCHMARK_CAPTURE(decode_bench, knative_png_full, std::string("knative-image.png"), false)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Preprocess)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(pipeline_bench, dog_full, std::string("dog.jpg"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(pipeline_bench, dog_dct, std::string("dog.jpg"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(pipeline_bench, knative_png, std::string("knative-image.png"), false)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
