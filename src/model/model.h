#pragma once
// A loaded model: manifest + labels + the inference engine, validated against each other.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "inference/engine.h"
#include "model/manifest.h"

namespace mlfaas::model {

struct Model {
  std::filesystem::path dir;
  Manifest manifest;
  std::vector<std::string> labels;   // one per class
  std::vector<std::string> synsets;  // empty, or one per class
  std::unique_ptr<inference::Engine> engine;
  int64_t classes = 0;
  double load_ms = 0;

  // Reads dir/model.onnx, the manifest (dir/manifest.{yaml,yml,json}, else the built-in
  // MobileNetV2 one when the model's input matches it), labels and synsets. Throws
  // std::runtime_error with a message that names the file and the problem.
  static std::unique_ptr<Model> load(const std::filesystem::path& dir);

  const std::string& label(int64_t i) const { return labels[size_t(i)]; }
  std::string synset(int64_t i) const { return synsets.empty() ? std::string() : synsets[size_t(i)]; }
};

}  // namespace mlfaas::model
