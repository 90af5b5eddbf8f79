#include "inference/shape_inference.h"

#include <fmt/format.h>

#include <algorithm>

#include "inference/op_attrs.h"

namespace mlfaas::inference {

const std::vector<std::string>& supported_ops() {
  static const std::vector<std::string> ops = {
      "Conv",       "Clip",      "Relu",    "Add",       "BatchNormalization", "GlobalAveragePool",
      "MaxPool",    "AveragePool", "Flatten", "Reshape", "Gemm",               "MatMul",
      "Softmax",    "Concat",    "Identity", "Dropout"};
  return ops;
}

namespace {

std::string supported_list() {
  std::string s;
  for (auto& o : supported_ops()) s += (s.empty() ? "" : ", ") + o;
  return s;
}

Dims reshape_dims(const Node& n, const Dims& in, const Constant& shape) {
  Dims out(shape.i64.begin(), shape.i64.end());
  int64_t known = 1, infer = -1;
  for (size_t k = 0; k < out.size(); ++k) {
    if (out[k] == 0) {
      if (k >= in.size()) throw ModelError(n.where() + "shape 0 refers to a missing input dim");
      out[k] = in[k];
    }
    if (out[k] == -1) {
      if (infer >= 0) throw ModelError(n.where() + "more than one -1 in shape");
      infer = int64_t(k);
    } else {
      known *= out[k];
    }
  }
  int64_t total = element_count(in);
  if (infer >= 0) {
    if (known == 0 || total % known) throw ModelError(n.where() + "cannot infer the -1 dimension");
    out[infer] = total / known;
  }
  if (element_count(out) != total)
    throw ModelError(fmt::format("{}cannot reshape {} to {}", n.where(), dims_str(in), dims_str(out)));
  return out;
}

}  // namespace

ShapeMap infer_shapes(const Graph& g, int64_t batch) {
  ShapeMap s;
  for (auto& [name, c] : g.constants) s[name] = c.dims;
  for (auto& in : g.inputs) {
    Dims d = in.dims;
    if (d.empty()) throw ModelError("input '" + in.name + "' has no shape in the model");
    for (size_t k = 0; k < d.size(); ++k) {
      if (d[k] >= 0) continue;
      if (k != 0) throw ModelError(fmt::format("input '{}' has a symbolic dimension {} other than the batch", in.name, k));
      d[k] = batch;
    }
    if (d[0] != batch && in.dims[0] >= 0 && batch != in.dims[0])
      throw ModelError(fmt::format("input '{}' has a fixed batch of {}; batch {} was requested", in.name, d[0], batch));
    s[in.name] = d;
  }

  for (auto& n : g.nodes) {
    auto in = [&](size_t k) -> const Dims& {
      if (k >= n.inputs.size() || n.inputs[k].empty())
        throw ModelError(fmt::format("{}missing input {}", n.where(), k));
      return s.at(n.inputs[k]);
    };
    auto need_const = [&](size_t k) -> const Constant& {
      if (k >= n.inputs.size() || !g.is_constant(n.inputs[k]))
        throw ModelError(fmt::format("{}input {} must be a constant (initializer)", n.where(), k));
      return g.constant(n.inputs[k]);
    };
    auto need_outputs = [&](size_t want) {
      if (n.outputs.size() < want) throw ModelError(n.where() + "missing outputs");
    };
    need_outputs(1);
    Dims out;
    const std::string& op = n.op;
    if (op == "Conv") {
      need_const(1);
      auto w = conv_window(n, in(0), in(1));
      if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
        auto& b = need_const(2);
        if (element_count(b.dims) != in(1)[0]) throw ModelError(n.where() + "bias size does not match the output channels");
      }
      out = {in(0)[0], in(1)[0], w.out_h, w.out_w};
    } else if (op == "Clip") {
      clip_range(n, g);
      out = in(0);
    } else if (op == "Relu" || op == "Identity" || op == "Dropout") {
      out = in(0);
    } else if (op == "Add") {
      out = broadcast_dims(n, in(0), in(1));
    } else if (op == "BatchNormalization") {
      const Dims& x = in(0);
      if (x.size() < 2) throw ModelError(n.where() + "input must have a channel dimension");
      for (size_t k = 1; k <= 4; ++k)
        if (element_count(need_const(k).dims) != x[1])
          throw ModelError(n.where() + "scale/bias/mean/var must have one value per channel");
      if (n.i("training_mode", 0)) throw ModelError(n.where() + "training_mode is not supported");
      out = x;
    } else if (op == "GlobalAveragePool") {
      const Dims& x = in(0);
      if (x.size() != 4) throw ModelError(n.where() + "input must be 4-D NCHW, got " + dims_str(x));
      out = {x[0], x[1], 1, 1};
    } else if (op == "MaxPool" || op == "AveragePool") {
      if (n.outputs.size() > 1 && !n.outputs[1].empty())
        throw ModelError(n.where() + "the Indices output is not supported");
      if (n.i("storage_order", 0)) throw ModelError(n.where() + "storage_order=1 is not supported");
      auto w = pool_window(n, in(0));
      out = {in(0)[0], in(0)[1], w.out_h, w.out_w};
    } else if (op == "Flatten") {
      const Dims& x = in(0);
      int64_t axis = n.i("axis", 1);
      if (axis < 0) axis += int64_t(x.size());
      if (axis < 0 || axis > int64_t(x.size())) throw ModelError(n.where() + "axis out of range");
      int64_t a = 1, b = 1;
      for (int64_t k = 0; k < int64_t(x.size()); ++k) (k < axis ? a : b) *= x[k];
      out = {a, b};
    } else if (op == "Reshape") {
      auto& shape = need_const(1);
      if (shape.i64.empty()) throw ModelError(n.where() + "shape must be an INT64 constant");
      out = reshape_dims(n, in(0), shape);
    } else if (op == "Gemm") {
      const Dims& a = in(0);
      const Dims& b = need_const(1).dims;
      if (a.size() != 2 || b.size() != 2) throw ModelError(n.where() + "A and B must be 2-D");
      if (n.i("transA", 0)) throw ModelError(n.where() + "transA=1 is not supported");
      bool tb = n.i("transB", 0) != 0;
      int64_t k = tb ? b[1] : b[0], m = tb ? b[0] : b[1];
      if (a[1] != k) throw ModelError(fmt::format("{}A {} and B {} do not match", n.where(), dims_str(a), dims_str(b)));
      if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
        auto& c = need_const(2);
        int64_t cn = element_count(c.dims);
        if (cn != m && cn != 1) throw ModelError(n.where() + "C must have one value per output or be a scalar");
      }
      out = {a[0], m};
    } else if (op == "MatMul") {
      const Dims& a = in(0);
      const Dims& b = need_const(1).dims;
      if (a.size() != 2 || b.size() != 2) throw ModelError(n.where() + "only 2-D MatMul with a constant B is supported");
      if (a[1] != b[0]) throw ModelError(fmt::format("{}A {} and B {} do not match", n.where(), dims_str(a), dims_str(b)));
      out = {a[0], b[1]};
    } else if (op == "Softmax") {
      const Dims& x = in(0);
      int64_t axis = n.i("axis", g.opset >= 13 ? -1 : 1);
      if (axis < 0) axis += int64_t(x.size());
      if (axis != int64_t(x.size()) - 1)
        throw ModelError(n.where() + "only softmax over the last axis is supported");
      out = x;
    } else if (op == "Concat") {
      int64_t axis = n.i("axis", 1);
      out = in(0);
      if (axis < 0) axis += int64_t(out.size());
      if (axis < 0 || axis >= int64_t(out.size())) throw ModelError(n.where() + "axis out of range");
      for (size_t k = 1; k < n.inputs.size(); ++k) {
        const Dims& d = in(k);
        if (d.size() != out.size()) throw ModelError(n.where() + "inputs have different ranks");
        for (size_t j = 0; j < d.size(); ++j)
          if (int64_t(j) != axis && d[j] != out[j])
            throw ModelError(fmt::format("{}input {} has shape {}, incompatible with {}", n.where(), k, dims_str(d), dims_str(out)));
        out[axis] += d[axis];
      }
    } else {
      throw ModelError(fmt::format("{}operator {} is not supported (supported: {})", n.where(), op,
                                   supported_list()));
    }
    s[n.outputs[0]] = out;
  }
  for (auto& o : g.outputs)
    if (!s.count(o.name)) throw ModelError("graph output '" + o.name + "' has no shape");
  return s;
}

}  // namespace mlfaas::inference
