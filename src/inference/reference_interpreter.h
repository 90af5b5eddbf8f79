#pragma once
// A plain, obviously-correct interpreter of the IR (NCHW, double accumulators, no fusion, no
// layouts). It is the yardstick for the oneDNN engine in tests, not a production path.
#include <string>
#include <unordered_map>
#include <vector>

#include "inference/graph.h"

namespace mlfaas::inference {

struct HostTensor {
  Dims dims;
  std::vector<float> data;
};

// Runs `g` on `input` (the graph's single input); returns every graph output by name.
std::unordered_map<std::string, HostTensor> run_reference(const Graph& g, const HostTensor& input);

}  // namespace mlfaas::inference
