#pragma once
// Parsing a KServe Open Inference Protocol v2 infer request (JSON, or JSON + binary tensor data
// with Inference-Header-Content-Length): pure, so it is unit-tested and fuzzed apart from the
// service. Every malformed request is a V2Error (400 and a message), never an exception.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "http/types.h"

namespace mlfaas::function {

struct V2Error {
  http::Status status;
  std::string message;
};

// What parsing needs of the model.
struct V2ModelInfo {
  std::vector<int64_t> image_dims;  // [C,H,W] of one FP32 input row
  std::string output_name;
  int64_t classes = 0;
};

struct ParsedInfer {
  std::string id;
  std::string input_name;
  int64_t batch = 0;
  std::vector<std::string> images;  // BYTES input
  std::vector<float> tensor;        // FP32 input
  struct Output {
    std::string name;
    int64_t classification = 0;
    bool binary = false;
  };
  std::vector<Output> outputs;
};

std::variant<ParsedInfer, V2Error> parse_v2_infer(const http::Request& req, const V2ModelInfo& m, size_t max_images);

}  // namespace mlfaas::function
