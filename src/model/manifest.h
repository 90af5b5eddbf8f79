#pragma once
// A model manifest: what the service needs to know beyond the ONNX graph — name, version, how to
// turn an image into the input tensor, and what the output means. YAML or JSON
// (manifest.yaml / manifest.yml / manifest.json in the model directory).
#include <stdexcept>
#include <string>

#include "image/preprocess.h"

namespace mlfaas::model {

struct Manifest {
  std::string name = "model";
  std::string version = "1";
  std::string input_name;   // "" = the graph's only input
  std::string output_name;  // "" = the graph's first output
  enum class OutputKind { probabilities, logits } output_kind = OutputKind::probabilities;
  image::PreprocessSpec preprocess;  // includes layout (nchw), colour order and the input size
  std::string labels = "labels.txt";
  std::string synsets = "synsets.txt";
  std::string source;  // where it came from (file path or "built-in mobilenetv2"), for messages
};

class ManifestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses manifest text (YAML or JSON). Errors name the field: "manifest.yaml: preprocess.resize:
// expected shorter-side-center-crop or squash, got 'crop'".
Manifest parse_manifest(const std::string& text, const std::string& source);
// The manifest of the shared MobileNetV2 shipped with mlfaas (share/manifests/mobilenetv2.yaml).
Manifest builtin_mobilenetv2_manifest();
const std::string& builtin_mobilenetv2_manifest_text();

}  // namespace mlfaas::model
