#pragma once
// What `mlfaas model inspect` reports: ops, shapes, parameters and multiply-accumulates.
#include <map>
#include <string>
#include <vector>

#include "inference/graph.h"

namespace mlfaas::inference {

struct NodeStats {
  std::string name, op;
  Dims output;
  int64_t params = 0;
  int64_t macs = 0;
};

struct ModelStats {
  std::map<std::string, int> op_counts;
  std::vector<NodeStats> nodes;
  int64_t params = 0;  // float elements in initializers read by nodes
  int64_t macs = 0;    // per image
  Dims input, output;
};

// Computed on the graph as loaded (before fusion), for one image.
ModelStats model_stats(const Graph& g);

}  // namespace mlfaas::inference
