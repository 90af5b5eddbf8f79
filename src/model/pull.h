#pragma once
// `mlfaas model pull`: downloads MobileNetV2 (opset 12) and the ImageNet synsets from the ONNX
// model zoo with curl, writes a manifest for the zoo's preprocessing, and validates by loading it.
// Needs internet; never run by the tests.
#include <filesystem>
#include <functional>
#include <string>

namespace mlfaas::model {

struct PullSource {
  std::string model_url =
      "https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-12.onnx";
  std::string synsets_url = "https://github.com/onnx/models/raw/main/validated/vision/classification/synset.txt";
};

// Writes model.onnx, labels.txt, synsets.txt and manifest.yaml into `dest` (replacing it only
// when everything downloaded and loads). Throws std::runtime_error with curl's message on failure.
void pull_model(const std::filesystem::path& dest, const PullSource& src = {},
                const std::function<void(const std::string&)>& progress = {});

// The manifest written for the zoo model (ImageNet mean/std on [0,1] values, logits output).
std::string zoo_mobilenetv2_manifest();

}  // namespace mlfaas::model
