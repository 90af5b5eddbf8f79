#include "inference/reference_interpreter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "inference/op_attrs.h"
#include "inference/shape_inference.h"

namespace mlfaas::inference {
namespace {

using Tensors = std::unordered_map<std::string, HostTensor>;

std::vector<int64_t> strides_of(const Dims& d) {
  std::vector<int64_t> s(d.size(), 1);
  for (int64_t k = int64_t(d.size()) - 2; k >= 0; --k) s[k] = s[k + 1] * d[k + 1];
  return s;
}

HostTensor conv(const Node& n, const HostTensor& x, const HostTensor& w, const HostTensor* b) {
  auto win = conv_window(n, x.dims, w.dims);
  const int64_t N = x.dims[0], C = x.dims[1], H = x.dims[2], W = x.dims[3];
  const int64_t M = w.dims[0], G = win.group, Cg = C / G, Mg = M / G;
  HostTensor y{{N, M, win.out_h, win.out_w}, {}};
  y.data.resize(element_count(y.dims));
  for (int64_t nn = 0; nn < N; ++nn)
    for (int64_t m = 0; m < M; ++m) {
      const int64_t g = m / Mg;
      for (int64_t oy = 0; oy < win.out_h; ++oy)
        for (int64_t ox = 0; ox < win.out_w; ++ox) {
          double acc = b ? b->data[m] : 0.0;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t ky = 0; ky < win.kh; ++ky) {
              int64_t iy = oy * win.sh - win.pad_t + ky * win.dh;
              if (iy < 0 || iy >= H) continue;
              for (int64_t kx = 0; kx < win.kw; ++kx) {
                int64_t ix = ox * win.sw - win.pad_l + kx * win.dw;
                if (ix < 0 || ix >= W) continue;
                acc += double(x.data[((nn * C + g * Cg + c) * H + iy) * W + ix]) *
                       double(w.data[((m * Cg + c) * win.kh + ky) * win.kw + kx]);
              }
            }
          y.data[((nn * M + m) * win.out_h + oy) * win.out_w + ox] = float(acc);
        }
    }
  return y;
}

HostTensor pool(const Node& n, const HostTensor& x, bool is_max) {
  auto win = pool_window(n, x.dims);
  const int64_t N = x.dims[0], C = x.dims[1], H = x.dims[2], W = x.dims[3];
  const bool include_pad = n.i("count_include_pad", 0) != 0;
  // With count_include_pad, explicit pads count towards the divisor but ceil_mode's extra
  // bottom/right region does not (ONNX semantics).
  const auto explicit_pads = n.ints("pads", {0, 0, 0, 0});
  const int64_t pad_limit_y = H + explicit_pads[2], pad_limit_x = W + explicit_pads[3];
  HostTensor y{{N, C, win.out_h, win.out_w}, {}};
  y.data.resize(element_count(y.dims));
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oy = 0; oy < win.out_h; ++oy)
      for (int64_t ox = 0; ox < win.out_w; ++ox) {
        double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0, padded = 0;
        for (int64_t ky = 0; ky < win.kh; ++ky)
          for (int64_t kx = 0; kx < win.kw; ++kx) {
            int64_t iy = oy * win.sh - win.pad_t + ky, ix = ox * win.sw - win.pad_l + kx;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
              if (iy < pad_limit_y && ix < pad_limit_x) ++padded;
              continue;
            }
            double v = x.data[(nc * H + iy) * W + ix];
            acc = is_max ? std::max(acc, v) : acc + v;
            ++count;
          }
        if (!is_max) acc /= double(include_pad ? count + padded : std::max<int64_t>(count, 1));
        y.data[(nc * win.out_h + oy) * win.out_w + ox] = float(acc);
      }
  return y;
}

HostTensor broadcast_add(const Node& n, const HostTensor& a, const HostTensor& b) {
  HostTensor y{broadcast_dims(n, a.dims, b.dims), {}};
  y.data.resize(element_count(y.dims));
  auto ys = strides_of(y.dims);
  auto index_in = [&](const HostTensor& t, int64_t flat) {
    int64_t idx = 0, stride = 1;
    for (int64_t k = int64_t(y.dims.size()) - 1, tk = int64_t(t.dims.size()) - 1; k >= 0; --k, --tk) {
      int64_t coord = (flat / ys[k]) % y.dims[k];
      if (tk >= 0) {
        if (t.dims[tk] != 1) idx += coord * stride;
        stride *= t.dims[tk];
      }
    }
    return idx;
  };
  for (int64_t i = 0; i < int64_t(y.data.size()); ++i)
    y.data[i] = a.data[index_in(a, i)] + b.data[index_in(b, i)];
  return y;
}

}  // namespace

std::unordered_map<std::string, HostTensor> run_reference(const Graph& g, const HostTensor& input) {
  auto shapes = infer_shapes(g, input.dims.at(0));
  if (shapes.at(g.inputs[0].name) != input.dims)
    throw ModelError(fmt::format("input has shape {}, the model expects {}", dims_str(input.dims),
                                 dims_str(shapes.at(g.inputs[0].name))));
  Tensors t;
  for (auto& [name, c] : g.constants)
    if (c.is_float()) t[name] = HostTensor{c.dims, c.f};
  t[g.inputs[0].name] = input;

  for (auto& n : g.nodes) {
    auto X = [&](size_t k) -> const HostTensor& { return t.at(n.inputs.at(k)); };
    auto has = [&](size_t k) { return k < n.inputs.size() && !n.inputs[k].empty(); };
    HostTensor y;
    const std::string& op = n.op;
    if (op == "Conv") {
      y = conv(n, X(0), X(1), has(2) ? &X(2) : nullptr);
    } else if (op == "Clip" || op == "Relu") {
      ClipRange r = op == "Relu" ? ClipRange{0.f, std::numeric_limits<float>::infinity()} : clip_range(n, g);
      y = X(0);
      for (auto& v : y.data) v = std::min(std::max(v, r.lo), r.hi);
    } else if (op == "Identity" || op == "Dropout") {
      y = X(0);
    } else if (op == "Add") {
      y = broadcast_add(n, X(0), X(1));
    } else if (op == "BatchNormalization") {
      const auto &x = X(0), &sc = X(1), &bi = X(2), &mu = X(3), &var = X(4);
      float eps = n.f("epsilon", 1e-5f);
      y = x;
      int64_t C = x.dims[1], inner = element_count(x.dims) / (x.dims[0] * C);
      for (int64_t i = 0; i < int64_t(y.data.size()); ++i) {
        int64_t c = (i / inner) % C;
        y.data[i] = float((double(x.data[i]) - mu.data[c]) / std::sqrt(double(var.data[c]) + eps) * sc.data[c] + bi.data[c]);
      }
    } else if (op == "GlobalAveragePool") {
      const auto& x = X(0);
      int64_t NC = x.dims[0] * x.dims[1], HW = x.dims[2] * x.dims[3];
      y.dims = {x.dims[0], x.dims[1], 1, 1};
      y.data.resize(NC);
      for (int64_t i = 0; i < NC; ++i) {
        double s = 0;
        for (int64_t k = 0; k < HW; ++k) s += x.data[i * HW + k];
        y.data[i] = float(s / double(HW));
      }
    } else if (op == "MaxPool" || op == "AveragePool") {
      y = pool(n, X(0), op == "MaxPool");
    } else if (op == "Flatten" || op == "Reshape") {
      y.data = X(0).data;
      y.dims = shapes.at(n.outputs[0]);
    } else if (op == "Gemm" || op == "MatMul") {
      const auto &a = X(0), &b = X(1);
      bool tb = op == "Gemm" && n.i("transB", 0);
      float alpha = op == "Gemm" ? n.f("alpha", 1.f) : 1.f, beta = op == "Gemm" ? n.f("beta", 1.f) : 0.f;
      int64_t M = a.dims[0], K = a.dims[1], Nn = tb ? b.dims[0] : b.dims[1];
      const HostTensor* c = op == "Gemm" && has(2) ? &X(2) : nullptr;
      y.dims = {M, Nn};
      y.data.resize(M * Nn);
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < Nn; ++j) {
          double acc = 0;
          for (int64_t k = 0; k < K; ++k) acc += double(a.data[i * K + k]) * b.data[tb ? j * K + k : k * Nn + j];
          double cv = c ? c->data[c->data.size() == 1 ? 0 : j] : 0.0;
          y.data[i * Nn + j] = float(alpha * acc + beta * cv);
        }
    } else if (op == "Softmax") {
      y = X(0);
      int64_t inner = y.dims.back(), outer = element_count(y.dims) / inner;
      for (int64_t o = 0; o < outer; ++o) {
        float* p = y.data.data() + o * inner;
        double mx = *std::max_element(p, p + inner), s = 0;
        for (int64_t k = 0; k < inner; ++k) s += std::exp(double(p[k]) - mx);
        for (int64_t k = 0; k < inner; ++k) p[k] = float(std::exp(double(p[k]) - mx) / s);
      }
    } else if (op == "Concat") {
      y.dims = shapes.at(n.outputs[0]);
      int64_t axis = n.i("axis", 1);
      if (axis < 0) axis += int64_t(y.dims.size());
      int64_t outer = 1;
      for (int64_t k = 0; k < axis; ++k) outer *= y.dims[k];
      for (int64_t o = 0; o < outer; ++o)
        for (size_t k = 0; k < n.inputs.size(); ++k) {
          const auto& x = X(k);
          int64_t chunk = element_count(x.dims) / outer;
          y.data.insert(y.data.end(), x.data.begin() + o * chunk, x.data.begin() + (o + 1) * chunk);
        }
    } else {
      throw ModelError(n.where() + "operator " + op + " is not supported");
    }
    t[n.outputs[0]] = std::move(y);
  }
  std::unordered_map<std::string, HostTensor> out;
  for (auto& o : g.outputs) out[o.name] = t.at(o.name);
  return out;
}

}  // namespace mlfaas::inference
