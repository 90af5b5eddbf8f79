#include <fmt/format.h>

#include <thread>

#include "cli/commands.h"
#include "common/strings.h"
#include "function/classify_response.h"
#include "function/image_input.h"
#include "function/topk.h"
#include "model/locator.h"
#include "model/model.h"

namespace mlfaas::cli {

namespace {

int classify(const std::vector<std::string>& files, const std::string& model_dir, int top_k, bool json,
             bool dct_scaling) {
  std::unique_ptr<model::Model> m;
  try {
    m = model::Model::load(model::locate_model(model_dir.empty() ? std::nullopt : std::optional(model_dir)).dir);
  } catch (const std::exception& e) {
    fmt::print(stderr, "mlfaas classify: {}\n", e.what());
    return 2;
  }
  if (top_k < 1 || top_k > m->classes) {
    fmt::print(stderr, "mlfaas classify: --top-k must be from 1 to {}\n", m->classes);
    return 2;
  }
  auto& e = *m->engine;
  inference::ExecContext ctx(e.dnnl_engine());
  const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<float> input(size_t(e.image_input_size())), output(size_t(e.output_size()));
  e.plan(1, threads);  // build the execution plan before timing anything
  function::DecodeSettings settings{50'000'000, dct_scaling};
  int failures = 0;
  std::string out = json && files.size() > 1 ? "[" : "";
  for (size_t k = 0; k < files.size(); ++k) {
    function::TaskResult r;
    try {
      std::string bytes = read_file(files[k]);
      function::image_to_tensor(bytes, *m, settings, input.data(), r);
      auto t0 = std::chrono::steady_clock::now();
      e.run(ctx, input.data(), 1, output.data(), threads);
      r.inference_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      r.batch_size = 1;
      r.scores = output;
      if (m->manifest.output_kind == model::Manifest::OutputKind::logits) function::softmax_inplace(r.scores);
    } catch (const std::exception& err) {
      fmt::print(stderr, "mlfaas classify: {}: {}\n", files[k], err.what());
      ++failures;
      continue;
    }
    if (json) {
      if (out.size() > 1) out += ',';
      function::append_classification_json(out, *m, r, top_k, r.decode_ms + r.preprocess_ms + r.inference_ms);
      continue;
    }
    fmt::print("{}  ({:.1f} ms decode+preprocess, {:.1f} ms inference)\n", files[k], r.decode_ms + r.preprocess_ms,
               r.inference_ms);
    fmt::print("  {:>2}  {:>5}  {:>10}  {:<10}  {}\n", "#", "index", "confidence", "wnid", "label");
    int rank = 1;
    for (auto& s : function::top_k(r.scores, top_k))
      fmt::print("  {:>2}  {:>5}  {:>10.6f}  {:<10}  {}\n", rank++, s.index, s.score, m->synset(s.index), m->label(s.index));
  }
  if (json) {
    if (files.size() > 1) out += ']';
    if (!out.empty()) fmt::print("{}\n", out);
  }
  return failures ? 1 : 0;
}

}  // namespace

void add_classify(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("classify", "Classify image files and print the top-k classes");
  auto files = std::make_shared<std::vector<std::string>>();
  auto model = std::make_shared<std::string>();
  auto top_k = std::make_shared<int>(5);
  auto json = std::make_shared<bool>(false);
  auto no_dct = std::make_shared<bool>(false);
  cmd->add_option("images", *files, "image files (JPEG, PNG, WebP, BMP, GIF)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--model", *model, "model directory");
  cmd->add_option("--top-k,-k", *top_k, "classes to show")->capture_default_str();
  cmd->add_flag("--json", *json, "print the same JSON as POST /classify");
  cmd->add_flag("--no-jpeg-dct-scaling", *no_dct, "always decode JPEGs at full size");
  cmd->callback([=, &run] { run = [=] { return classify(*files, *model, *top_k, *json, !*no_dct); }; });
}

}  // namespace mlfaas::cli
