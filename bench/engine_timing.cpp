// The mlfaas side of bench/engine-vs-ort.sh: the same measurement as peers/ort_bench.js.
// usage: engine_timing MODEL.onnx BATCH THREADS [SECONDS] [WORKERS]  -> one JSON line
// With WORKERS > 1, that many threads run inferences side by side (each with THREADS OpenMP
// threads) and "images_per_s" is the machine's pure-inference capacity in that configuration.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>

#include "inference/engine.h"
#include "inference/onnx_loader.h"

using namespace mlfaas;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 4) {
    fmt::print(stderr, "usage: engine_timing MODEL.onnx BATCH THREADS [SECONDS]\n");
    return 2;
  }
  const int64_t batch = std::atoll(argv[2]);
  const int threads = std::atoi(argv[3]);
  const double seconds = argc > 4 ? std::atof(argv[4]) : 5.0;
  const int workers = argc > 5 ? std::atoi(argv[5]) : 1;
  inference::Engine e(inference::load_onnx_file(argv[1]));
  std::vector<std::vector<double>> times(static_cast<size_t>(workers));
  auto work = [&](int w) {
    inference::ExecContext ctx(e.dnnl_engine());
    std::vector<float> in(size_t(batch * e.image_input_size())), out(size_t(batch * e.output_size()));
    for (size_t i = 0; i < in.size(); ++i) in[i] = float(std::sin(double(i)));  // same input as the peer
    for (int i = 0; i < 20; ++i) e.run(ctx, in.data(), batch, out.data(), threads);
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
      auto t0 = Clock::now();
      e.run(ctx, in.data(), batch, out.data(), threads);
      times[size_t(w)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  };
  e.plan(batch, threads);
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  std::vector<double> t;
  for (auto& v : times) t.insert(t.end(), v.begin(), v.end());
  std::sort(t.begin(), t.end());
  auto q = [&](double p) { return t[std::min(t.size() - 1, size_t(p * double(t.size())))]; };
  fmt::print(R"({{"engine":"mlfaas oneDNN","batch":{},"threads":{},"workers":{},"runs":{},"median":{:.3f},"p10":{:.3f},"p90":{:.3f},"mean":{:.3f},"images_per_s":{:.1f}}})"
             "\n",
             batch, threads, workers, t.size(), q(0.5), q(0.1), q(0.9),
             std::accumulate(t.begin(), t.end(), 0.0) / double(t.size()), double(t.size()) * double(batch) / seconds);
}
