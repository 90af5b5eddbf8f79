// Image decode and preprocessing costs per request: full vs DCT-scaled JPEG decode, a large PNG,
// preprocessing alone, and the whole bytes -> tensor pipeline.
//   build-image/bench/image_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include <turbojpeg.h>

#include <algorithm>

#include "image/decode.h"
#include "image/pipeline.h"
#include "image/preprocess.h"
#include "support/paths.h"

namespace {

using namespace mlfaas::image;
namespace fs = std::filesystem;

std::string big_photo();

// The file's bytes, or "" when the photo/seed file is not available.
std::string load(const std::string& name) {
  if (name == "big") return big_photo();
  fs::path p;
  if (name == "knative-image.png") p = mlfaas::test::source_dir().parent_path() / "shared" / "seed-study" / name;
  else if (auto dir = mlfaas::test::photos_dir()) p = *dir / name;
  return fs::exists(p) ? mlfaas::test::read_binary(p) : std::string();
}

std::span<const uint8_t> bytes_of(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// A 12 MP (4032x3024) phone-sized JPEG: kite.jpg upscaled with the preprocessing's bilinear
// sampler and encoded by TurboJPEG at quality 90, 4:2:0. Smoother than a real photo, so its
// Huffman decoding is cheaper than a real 12 MP photo's; the full/scaled ratio is what matters.
std::string big_photo() {
  static std::string bytes;
  if (!bytes.empty()) return bytes;
  auto dir = mlfaas::test::photos_dir();
  if (!dir) return {};
  std::string kite = mlfaas::test::read_binary(*dir / "kite.jpg");
  Image src = decode(bytes_of(kite));
  const int W = 4032, H = 3024;
  PreprocessSpec up;
  up.resize = PreprocessSpec::Resize::squash;
  up.out_height = H, up.out_width = W;
  up.scale = 1.f, up.mean[0] = up.mean[1] = up.mean[2] = 0.f, up.nchw = false;
  std::vector<float> f(size_t(W) * H * 3);
  preprocess(src, up, f.data());
  std::vector<uint8_t> rgb(f.size());
  for (size_t i = 0; i < f.size(); ++i) rgb[i] = uint8_t(std::clamp(f[i] + 0.5f, 0.f, 255.f));
  tjhandle tj = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  tjCompress2(tj, rgb.data(), W, 0, H, TJPF_RGB, &jpeg, &size, TJSAMP_420, 90, 0);
  bytes.assign(reinterpret_cast<char*>(jpeg), size);
  tjFree(jpeg);
  tjDestroy(tj);
  return bytes;
}

// Decode at full size (ratio 0), or at the smallest DCT scale that keeps `ratio` times the size
// preprocessing samples from (1 = right down to the resize target; mlfaas serve uses 4).
void decode_bench(benchmark::State& state, const std::string& name, double ratio) {
  std::string data = load(name);
  if (data.empty()) return state.SkipWithError(("missing " + name).c_str());
  auto b = bytes_of(data);
  DecodeOptions opt;
  if (ratio > 0) {
    ImageInfo info = probe(b, opt.max_pixels);
    MinDecodeSize m = min_decode_size(info.display_height(), info.display_width(), PreprocessSpec{});
    opt.min_width = int(m.width * ratio), opt.min_height = int(m.height * ratio);
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

BENCHMARK_CAPTURE(decode_bench, dog_full, std::string("dog.jpg"), 0.0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_bench, dog_dct_x1, std::string("dog.jpg"), 1.0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_bench, kite_full, std::string("kite.jpg"), 0.0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_bench, kite_dct_x1, std::string("kite.jpg"), 1.0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_bench, big12mp_full, std::string("big"), 0.0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_bench, big12mp_dct_x4, std::string("big"), 4.0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_bench, big12mp_dct_x1, std::string("big"), 1.0)->Unit(benchmark::kMillisecond);
// PNG has no DCT scaling: only the full decode exists.
BENCHMARK_CAPTURE(decode_bench, knative_png_full, std::string("knative-image.png"), 0.0)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Preprocess)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(pipeline_bench, dog_full, std::string("dog.jpg"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(pipeline_bench, dog_dct, std::string("dog.jpg"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(pipeline_bench, knative_png, std::string("knative-image.png"), false)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
