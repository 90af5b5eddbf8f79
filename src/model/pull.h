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
  // The model file's SHA-256 (its git-LFS oid in the zoo; several independent projects pin the
  // same value): a download that differs is refused.
  std::string model_sha256 = "c0c3f76d93fa3fd6580652a45618618a220fced18babf65774ed169de0432ad5";
};

// The SHA-256 of a file, lower-case hex (sha256sum from coreutils).
std::string file_sha256(const std::filesystem::path& file);

// Writes model.onnx, labels.txt, synsets.txt and manifest.yaml into `dest` (replacing it only
// when everything downloaded, matches the pinned SHA-256 and loads). Throws std::runtime_error
// with curl's message, or the mismatching digest, on failure.
void pull_model(const std::filesystem::path& dest, const PullSource& src = {},
                const std::function<void(const std::string&)>& progress = {});

// The manifest written for the zoo model (ImageNet mean/std on [0,1] values, logits output).
std::string zoo_mobilenetv2_manifest();

}  // namespace mlfaas::model
