#include "inference/model_stats.h"

#include <set>

#include "inference/op_attrs.h"
#include "inference/shape_inference.h"

namespace mlfaas::inference {

ModelStats model_stats(const Graph& g) {
  ModelStats s;
  auto shapes = infer_shapes(g, 1);
  s.input = shapes.at(g.inputs[0].name);
  s.output = shapes.at(g.outputs[0].name);
  std::set<std::string> counted;
  for (auto& n : g.nodes) {
    NodeStats ns{n.name, n.op, shapes.at(n.outputs[0]), 0, 0};
    for (auto& in : n.inputs)
      if (g.is_constant(in) && g.constant(in).is_float()) {
        int64_t e = element_count(g.constant(in).dims);
        ns.params += e;
        if (counted.insert(in).second && e > 1) s.params += e;
      }
    if (n.op == "Conv") {
      const Dims& w = g.constant(n.inputs[1]).dims;
      ns.macs = element_count(ns.output) * w[1] * w[2] * w[3];
    } else if (n.op == "Gemm" || n.op == "MatMul") {
      const Dims& a = shapes.at(n.inputs[0]);
      ns.macs = element_count(ns.output) * a.back();
    }
    s.macs += ns.macs;
    s.op_counts[n.op]++;
    s.nodes.push_back(std::move(ns));
  }
  return s;
}

}  // namespace mlfaas::inference
