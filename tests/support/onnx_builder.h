#pragma once
// Writes small ONNX models with the real ONNX protobuf library, so tests exercise the loader and
// the service without the pretrained weights. Weights are deterministic (seeded).
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mlfaas::test {

using OnnxAttr = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>>;

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int64_t opset = 13);
  ~OnnxBuilder();
  // dims: -1 = symbolic batch "N"
  void input(const std::string& name, const std::vector<int64_t>& dims);
  void output(const std::string& name, const std::vector<int64_t>& dims);
  void initializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& data);
  void initializer_i64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& data);
  void node(const std::string& op, const std::vector<std::string>& inputs, const std::vector<std::string>& outputs,
            const std::vector<std::pair<std::string, OnnxAttr>>& attrs = {}, const std::string& name = "");
  std::string serialize() const;
  void save(const std::filesystem::path& p) const;

 private:
  struct Impl;
  Impl* impl_;
};

// Deterministic uniform values in [lo, hi).
std::vector<float> seeded_values(size_t n, uint32_t seed, float lo = -1.f, float hi = 1.f);

// A tiny MobileNetV2-shaped classifier: [N,3,size,size] -> conv3x3/2 (TF pads) + Clip(0,6) ->
// 1x1 expand + Clip -> depthwise 3x3 + Clip -> 1x1 project + residual Add -> GlobalAveragePool ->
// Flatten -> Gemm -> Softmax over `classes`.
std::string tiny_classifier_onnx(int classes = 10, int size = 32, uint32_t seed = 7);

// A model directory for the service: model.onnx, labels.txt ("class 0".."class N-1"),
// synsets.txt ("t00000000"...), and manifest.yaml (shorter-side resize to size*8/7, crop `size`).
void write_tiny_model_dir(const std::filesystem::path& dir, int classes = 10, int size = 32);

}  // namespace mlfaas::test
