#pragma once
// Computes the shape of every tensor for a concrete batch size, and rejects operators and
// attribute combinations the engine does not implement (with the node's name and op).
#include <string>
#include <unordered_map>

#include "inference/graph.h"

namespace mlfaas::inference {

using ShapeMap = std::unordered_map<std::string, Dims>;

// The ONNX ops the engine runs (both the oneDNN planner and the reference interpreter).
const std::vector<std::string>& supported_ops();

// Input dims come from the graph with the symbolic batch replaced by `batch` (other symbolic dims
// are an error). Throws ModelError for unsupported ops or shapes.
ShapeMap infer_shapes(const Graph& g, int64_t batch);

}  // namespace mlfaas::inference
