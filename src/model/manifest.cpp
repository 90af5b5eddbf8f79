#include "model/manifest.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace mlfaas::model {

extern const char* kBuiltinMobilenetV2Manifest;  // generated from share/manifests/mobilenetv2.yaml

namespace {

struct Reader {
  const std::string& source;

  [[noreturn]] void fail(const std::string& field, const std::string& msg) const {
    throw ManifestError(fmt::format("{}: {}: {}", source, field, msg));
  }
  template <class T>
  T get(const YAML::Node& n, const std::string& field, T def) const {
    if (!n || n.IsNull()) return def;
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(field, "has the wrong type");
    }
  }
  void triple(const YAML::Node& n, const std::string& field, float out[3]) const {
    if (!n) return;
    if (n.IsScalar()) {
      out[0] = out[1] = out[2] = get<float>(n, field, 0.f);
      return;
    }
    if (!n.IsSequence() || n.size() != 3) fail(field, "expected a number or a list of 3 numbers");
    for (int c = 0; c < 3; ++c) out[c] = get<float>(n[c], field, 0.f);
  }
};

}  // namespace

Manifest parse_manifest(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ManifestError(fmt::format("{}: not valid YAML/JSON: {}", source, e.what()));
  }
  if (!root.IsMap()) throw ManifestError(source + ": expected a mapping at the top level");
  Reader r{source};
  Manifest m;
  m.source = source;
  m.name = r.get<std::string>(root["name"], "name", m.name);
  m.version = r.get<std::string>(root["version"], "version", m.version);
  m.labels = r.get<std::string>(root["labels"], "labels", m.labels);
  m.synsets = r.get<std::string>(root["synsets"], "synsets", m.synsets);
  if (m.name.empty()) r.fail("name", "must not be empty");

  auto& p = m.preprocess;
  if (auto in = root["input"]) {
    m.input_name = r.get<std::string>(in["name"], "input.name", "");
    std::string layout = r.get<std::string>(in["layout"], "input.layout", "NCHW");
    if (layout == "NCHW") p.nchw = true;
    else if (layout == "NHWC") p.nchw = false;
    else r.fail("input.layout", "expected NCHW or NHWC, got '" + layout + "'");
    p.out_height = r.get<int>(in["height"], "input.height", p.out_height);
    p.out_width = r.get<int>(in["width"], "input.width", p.out_width);
    if (p.out_height < 1 || p.out_width < 1 || p.out_height > 8192 || p.out_width > 8192)
      r.fail("input.height/width", "must be between 1 and 8192");
    std::string color = r.get<std::string>(in["color"], "input.color", "RGB");
    if (color == "RGB") p.bgr = false;
    else if (color == "BGR") p.bgr = true;
    else r.fail("input.color", "expected RGB or BGR, got '" + color + "'");
  }
  if (auto pre = root["preprocess"]) {
    std::string resize = r.get<std::string>(pre["resize"], "preprocess.resize", "shorter-side-center-crop");
    if (resize == "shorter-side-center-crop") p.resize = image::PreprocessSpec::Resize::shorter_side_center_crop;
    else if (resize == "squash") p.resize = image::PreprocessSpec::Resize::squash;
    else r.fail("preprocess.resize", "expected shorter-side-center-crop or squash, got '" + resize + "'");
    p.resize_size = r.get<int>(pre["resize_size"], "preprocess.resize_size",
                               std::max(p.out_height, p.out_width) * 8 / 7);
    if (p.resize_size < std::max(p.out_height, p.out_width) && p.resize == image::PreprocessSpec::Resize::shorter_side_center_crop)
      r.fail("preprocess.resize_size", "must be at least the input height and width (the crop must fit)");
    std::string interp = r.get<std::string>(pre["interpolation"], "preprocess.interpolation", "bilinear-half-pixel");
    if (interp != "bilinear-half-pixel") r.fail("preprocess.interpolation", "only bilinear-half-pixel is supported");
    p.scale = r.get<float>(pre["scale"], "preprocess.scale", p.scale);
    r.triple(pre["mean"], "preprocess.mean", p.mean);
    r.triple(pre["std"], "preprocess.std", p.std);
    for (float s : p.std)
      if (s == 0.f) r.fail("preprocess.std", "must not be zero");
  }
  if (auto out = root["output"]) {
    m.output_name = r.get<std::string>(out["name"], "output.name", "");
    std::string kind = r.get<std::string>(out["kind"], "output.kind", "probabilities");
    if (kind == "probabilities") m.output_kind = Manifest::OutputKind::probabilities;
    else if (kind == "logits") m.output_kind = Manifest::OutputKind::logits;
    else r.fail("output.kind", "expected probabilities or logits, got '" + kind + "'");
  }
  return m;
}

const std::string& builtin_mobilenetv2_manifest_text() {
  static const std::string text = kBuiltinMobilenetV2Manifest;
  return text;
}

Manifest builtin_mobilenetv2_manifest() {
  return parse_manifest(builtin_mobilenetv2_manifest_text(), "built-in mobilenetv2 manifest");
}

}  // namespace mlfaas::model
