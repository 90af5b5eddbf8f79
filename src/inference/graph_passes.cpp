#include "inference/graph_passes.h"

#include <cmath>

namespace mlfaas::inference {
namespace {

bool is_graph_output(const Graph& g, const std::string& t) {
  for (auto& o : g.outputs)
    if (o.name == t) return true;
  return false;
}

}  // namespace

void remove_identities(Graph& g) {
  std::vector<Node> kept;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    Node& n = g.nodes[k];
    if ((n.op == "Identity" || n.op == "Dropout") && !n.inputs.empty() && !is_graph_output(g, n.outputs[0])) {
      for (size_t j = k + 1; j < g.nodes.size(); ++j)
        for (auto& in : g.nodes[j].inputs)
          if (in == n.outputs[0]) in = n.inputs[0];
      continue;
    }
    kept.push_back(std::move(n));
  }
  g.nodes = std::move(kept);
}

void fold_batchnorm_into_conv(Graph& g) {
  std::vector<Node> kept;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    Node& n = g.nodes[k];
    if (n.op == "BatchNormalization" && !kept.empty()) {
      Node& conv = kept.back();
      bool foldable = conv.op == "Conv" && conv.outputs[0] == n.inputs[0] && g.consumers(conv.outputs[0]) == 1 &&
                      g.is_constant(conv.inputs[1]) && n.inputs.size() >= 5;
      for (size_t j = 1; foldable && j < 5; ++j) foldable = g.is_constant(n.inputs[j]);
      if (foldable) {
        const Constant& w = g.constant(conv.inputs[1]);
        const auto &sc = g.constant(n.inputs[1]).f, &bi = g.constant(n.inputs[2]).f,
                   &mu = g.constant(n.inputs[3]).f, &var = g.constant(n.inputs[4]).f;
        const float eps = n.f("epsilon", 1e-5f);
        const int64_t M = w.dims[0], per = element_count(w.dims) / M;
        Constant nw = w, nb;
        nb.dims = {M};
        nb.f.assign(M, 0.f);
        if (conv.inputs.size() > 2 && !conv.inputs[2].empty()) nb.f = g.constant(conv.inputs[2]).f;
        for (int64_t m = 0; m < M; ++m) {
          const double a = sc[m] / std::sqrt(double(var[m]) + eps);
          for (int64_t j = 0; j < per; ++j) nw.f[m * per + j] = float(nw.f[m * per + j] * a);
          nb.f[m] = float((nb.f[m] - mu[m]) * a + bi[m]);
        }
        std::string wn = conv.name + "/bn_folded_weights", bn = conv.name + "/bn_folded_bias";
        g.constants[wn] = std::move(nw);
        g.constants[bn] = std::move(nb);
        conv.inputs.resize(3);
        conv.inputs[1] = wn;
        conv.inputs[2] = bn;
        conv.outputs[0] = n.outputs[0];  // the conv now produces what the BN produced
        continue;
      }
    }
    kept.push_back(std::move(n));
  }
  g.nodes = std::move(kept);
}

void optimize(Graph& g) {
  remove_identities(g);
  fold_batchnorm_into_conv(g);
}

}  // namespace mlfaas::inference
