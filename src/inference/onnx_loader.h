#pragma once
// Reads an ONNX model (protobuf, via Debian's libonnx) into the engine's Graph IR.
#include <string>
#include <string_view>

#include "inference/graph.h"

namespace mlfaas::inference {

// Throws ModelError with a clear message (unreadable file, not ONNX, unsupported data type, ...).
Graph load_onnx_file(const std::string& path);
Graph load_onnx_bytes(std::string_view bytes, const std::string& what = "model");

}  // namespace mlfaas::inference
