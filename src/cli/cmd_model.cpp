#include <fmt/format.h>

#include <thread>

#include "cli/commands.h"
#include "inference/model_stats.h"
#include "model/locator.h"
#include "model/model.h"
#include "model/pull.h"

namespace mlfaas::cli {

namespace {

int inspect(const std::string& dir, bool plan) {
  std::unique_ptr<model::Model> m;
  try {
    m = model::Model::load(model::locate_model(dir.empty() ? std::nullopt : std::optional(dir)).dir);
  } catch (const std::exception& e) {
    fmt::print(stderr, "mlfaas model inspect: {}\n", e.what());
    return 2;
  }
  const auto& g = m->engine->graph();
  auto st = inference::model_stats(g);
  const auto& p = m->manifest.preprocess;
  fmt::print("model      {} {} ({})\n", m->manifest.name, m->manifest.version, m->dir.string());
  fmt::print("manifest   {}\n", m->manifest.source);
  fmt::print("input      {} {} float32 {}\n", g.inputs[0].name, inference::dims_str(g.inputs[0].dims),
             p.nchw ? "NCHW" : "NHWC");
  fmt::print("output     {} [N,{}] {}\n", m->engine->output_name(), m->classes,
             m->manifest.output_kind == model::Manifest::OutputKind::logits ? "logits" : "probabilities");
  fmt::print("preprocess {} {} -> {}x{}, x = (v * {:.6g} - mean[{:.4g},{:.4g},{:.4g}]) / std[{:.4g},{:.4g},{:.4g}], {}\n",
             p.resize == image::PreprocessSpec::Resize::squash ? "squash" : "shorter-side-center-crop", p.resize_size,
             p.out_height, p.out_width, p.scale, p.mean[0], p.mean[1], p.mean[2], p.std[0], p.std[1], p.std[2],
             p.bgr ? "BGR" : "RGB");
  fmt::print("labels     {} classes{}\n", m->classes, m->synsets.empty() ? "" : " (with WordNet ids)");
  fmt::print("params     {} ({:.2f} M)\n", st.params, st.params / 1e6);
  fmt::print("MACs       {} ({:.1f} M per image)\n", st.macs, st.macs / 1e6);
  fmt::print("ops        ");
  for (auto& [op, n] : st.op_counts) fmt::print("{} x{}  ", op, n);
  fmt::print("\nload       {:.0f} ms\n\n", m->load_ms);
  fmt::print("{:<28} {:<20} {:<18} {:>10} {:>12}\n", "node", "op", "output", "params", "MACs");
  for (auto& n : st.nodes)
    fmt::print("{:<28} {:<20} {:<18} {:>10} {:>12}\n", n.name, n.op, inference::dims_str(n.output), n.params, n.macs);
  if (plan) {
    const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    const auto& pl = m->engine->plan(1, threads);
    fmt::print("\noneDNN plan, batch 1, {} threads: {} primitives, arena {:.1f} MB, weights {:.1f} MB\n", threads,
               pl.steps().size(), pl.arena_bytes() / 1e6, m->engine->weight_bytes() / 1e6);
    for (auto& line : pl.describe()) fmt::print("  {}\n", line);
  }
  return 0;
}

int pull(const std::string& dest) {
  std::filesystem::path d = dest.empty() ? model::default_cache_dir() : std::filesystem::path(dest);
  try {
    model::pull_model(d, {}, [](const std::string& s) { fmt::print("{}\n", s); });
  } catch (const std::exception& e) {
    fmt::print(stderr, "mlfaas model pull: {}\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

void add_model(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("model", "Inspect or download models");
  cmd->require_subcommand(1);
  auto* ins = cmd->add_subcommand("inspect", "Ops, shapes, parameter count, MACs and the execution plan of a model");
  auto dir = std::make_shared<std::string>();
  auto plan = std::make_shared<bool>(false);
  ins->add_option("dir", *dir, "model directory (default: the one `serve` would use)");
  ins->add_flag("--plan", *plan, "also build and print the oneDNN execution plan");
  ins->callback([=, &run] { run = [=] { return inspect(*dir, *plan); }; });
  auto* pl = cmd->add_subcommand("pull", "Download MobileNetV2 from the ONNX model zoo into models/ (needs internet)");
  auto dest = std::make_shared<std::string>();
  pl->add_option("--dest", *dest, "target directory (default: <repo>/models/mobilenetv2)");
  pl->callback([=, &run] { run = [=] { return pull(*dest); }; });
}

}  // namespace mlfaas::cli
