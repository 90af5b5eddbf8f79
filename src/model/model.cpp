#include "model/model.h"

#include <fmt/format.h>

#include <chrono>

#include "common/strings.h"
#include "inference/onnx_loader.h"
#include "model/labels.h"

namespace fs = std::filesystem;

namespace mlfaas::model {

std::unique_ptr<Model> Model::load(const fs::path& dir) {
  auto t0 = std::chrono::steady_clock::now();
  auto m = std::make_unique<Model>();
  m->dir = dir;

  bool own_manifest = false;
  for (const char* name : {"manifest.yaml", "manifest.yml", "manifest.json"}) {
    if (fs::exists(dir / name)) {
      m->manifest = parse_manifest(read_file((dir / name).string()), (dir / name).string());
      own_manifest = true;
      break;
    }
  }
  if (!own_manifest) m->manifest = builtin_mobilenetv2_manifest();

  inference::Graph g = inference::load_onnx_file((dir / "model.onnx").string());
  if (!m->manifest.input_name.empty() && g.inputs[0].name != m->manifest.input_name)
    throw std::runtime_error(fmt::format("{}: input.name is '{}' but the model's input is '{}'", m->manifest.source,
                                         m->manifest.input_name, g.inputs[0].name));
  m->engine = std::make_unique<inference::Engine>(std::move(g), inference::PlanOptions{true, m->manifest.output_name});

  const auto& p = m->manifest.preprocess;
  const inference::Dims want = p.nchw ? inference::Dims{3, p.out_height, p.out_width}
                                      : inference::Dims{p.out_height, p.out_width, 3};
  if (m->engine->image_dims() != want) {
    if (!own_manifest)
      throw std::runtime_error(fmt::format(
          "{} has no manifest.yaml, and its input {} does not match the built-in MobileNetV2 manifest ({}); "
          "add a manifest.yaml (see docs/models.md)",
          dir.string(), inference::dims_str(m->engine->image_dims()), inference::dims_str(want)));
    throw std::runtime_error(fmt::format("{}: the manifest describes an input of {} but the model takes {}",
                                         m->manifest.source, inference::dims_str(want),
                                         inference::dims_str(m->engine->image_dims())));
  }
  m->classes = m->engine->output_size();

  fs::path labels = dir / m->manifest.labels;
  if (!fs::exists(labels)) throw std::runtime_error(labels.string() + " is missing (one class name per line)");
  m->labels = read_lines_file(labels.string());
  if (int64_t(m->labels.size()) != m->classes)
    throw std::runtime_error(fmt::format("{} has {} lines but the model has {} outputs", labels.string(),
                                         m->labels.size(), m->classes));
  fs::path synsets = dir / m->manifest.synsets;
  if (fs::exists(synsets)) {
    m->synsets = read_lines_file(synsets.string());
    if (int64_t(m->synsets.size()) != m->classes)
      throw std::runtime_error(fmt::format("{} has {} lines but the model has {} outputs", synsets.string(),
                                           m->synsets.size(), m->classes));
  }
  m->load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return m;
}

}  // namespace mlfaas::model
