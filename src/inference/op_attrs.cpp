#include "inference/op_attrs.h"

#include <fmt/format.h>

#include <limits>

namespace mlfaas::inference {
namespace {

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1) {
  return (in + p0 + p1 - ((k - 1) * d + 1)) / s + 1;
}

// Resolves SAME_UPPER/SAME_LOWER/VALID into explicit pads.
void apply_auto_pad(const Node& n, Window2d& w, int64_t h, int64_t wd) {
  std::string ap = n.s("auto_pad", "NOTSET");
  if (ap == "NOTSET") return;
  if (ap == "VALID") {
    w.pad_t = w.pad_l = w.pad_b = w.pad_r = 0;
    return;
  }
  if (ap != "SAME_UPPER" && ap != "SAME_LOWER")
    throw ModelError(n.where() + "unknown auto_pad '" + ap + "'");
  auto same = [&](int64_t in, int64_t k, int64_t s, int64_t d, int64_t& p0, int64_t& p1) {
    int64_t out = (in + s - 1) / s;
    int64_t total = std::max<int64_t>(0, (out - 1) * s + (k - 1) * d + 1 - in);
    if (ap == "SAME_UPPER") {
      p0 = total / 2;
      p1 = total - p0;
    } else {
      p1 = total / 2;
      p0 = total - p1;
    }
  };
  same(h, w.kh, w.sh, w.dh, w.pad_t, w.pad_b);
  same(wd, w.kw, w.sw, w.dw, w.pad_l, w.pad_r);
}

void read_common(const Node& n, Window2d& w, bool allow_dilation) {
  auto strides = n.ints("strides", {1, 1});
  auto dil = n.ints("dilations", {1, 1});
  auto pads = n.ints("pads", {0, 0, 0, 0});
  if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4)
    throw ModelError(n.where() + "only 2-D windows are supported (strides/dilations/pads have the wrong length)");
  w.sh = strides[0];
  w.sw = strides[1];
  w.dh = dil[0];
  w.dw = dil[1];
  w.pad_t = pads[0];
  w.pad_l = pads[1];
  w.pad_b = pads[2];
  w.pad_r = pads[3];
  if (w.sh < 1 || w.sw < 1 || w.dh < 1 || w.dw < 1)
    throw ModelError(n.where() + "strides and dilations must be >= 1");
  if (!allow_dilation && (w.dh != 1 || w.dw != 1))
    throw ModelError(n.where() + "dilated pooling is not supported");
  for (auto p : pads)
    if (p < 0) throw ModelError(n.where() + "negative pads are not supported");
}

}  // namespace

Window2d conv_window(const Node& n, const Dims& x, const Dims& wt) {
  if (x.size() != 4) throw ModelError(n.where() + "input must be 4-D NCHW, got " + dims_str(x));
  if (wt.size() != 4) throw ModelError(n.where() + "weights must be 4-D, got " + dims_str(wt));
  Window2d w;
  read_common(n, w, true);
  w.group = n.i("group", 1);
  w.kh = wt[2];
  w.kw = wt[3];
  auto ks = n.ints("kernel_shape", {wt[2], wt[3]});
  if (ks.size() != 2 || ks[0] != wt[2] || ks[1] != wt[3])
    throw ModelError(n.where() + "kernel_shape does not match the weights");
  if (w.group < 1 || x[1] % w.group || wt[0] % w.group || wt[1] * w.group != x[1])
    throw ModelError(fmt::format("{}channels do not match: input {} weights {} group {}", n.where(),
                                 dims_str(x), dims_str(wt), w.group));
  apply_auto_pad(n, w, x[2], x[3]);
  w.out_h = out_size(x[2], w.kh, w.sh, w.dh, w.pad_t, w.pad_b);
  w.out_w = out_size(x[3], w.kw, w.sw, w.dw, w.pad_l, w.pad_r);
  if (w.out_h < 1 || w.out_w < 1)
    throw ModelError(fmt::format("{}output would be empty for input {}", n.where(), dims_str(x)));
  return w;
}

Window2d pool_window(const Node& n, const Dims& x) {
  if (x.size() != 4) throw ModelError(n.where() + "input must be 4-D NCHW, got " + dims_str(x));
  Window2d w;
  read_common(n, w, false);
  auto ks = n.ints("kernel_shape");
  if (ks.size() != 2) throw ModelError(n.where() + "kernel_shape must have 2 values");
  w.kh = ks[0];
  w.kw = ks[1];
  apply_auto_pad(n, w, x[2], x[3]);
  w.out_h = out_size(x[2], w.kh, w.sh, 1, w.pad_t, w.pad_b);
  w.out_w = out_size(x[3], w.kw, w.sw, 1, w.pad_l, w.pad_r);
  if (n.i("ceil_mode", 0)) {
    // ceil instead of floor: grow the bottom/right pad until the extra window fits, as ONNX does
    // (the last window must still start inside the input or the left padding).
    auto ceil_out = [](int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1) {
      int64_t o = (in + p0 + p1 - k + s - 1) / s + 1;
      if ((o - 1) * s >= in + p0) --o;
      return o;
    };
    int64_t oh = ceil_out(x[2], w.kh, w.sh, w.pad_t, w.pad_b);
    int64_t ow = ceil_out(x[3], w.kw, w.sw, w.pad_l, w.pad_r);
    // Just enough extra padding for the last window (not whole strides: oneDNN rejects pads >= kernel).
    w.pad_b = std::max(w.pad_b, (oh - 1) * w.sh + w.kh - x[2] - w.pad_t);
    w.pad_r = std::max(w.pad_r, (ow - 1) * w.sw + w.kw - x[3] - w.pad_l);
    w.out_h = oh;
    w.out_w = ow;
  }
  if (w.out_h < 1 || w.out_w < 1)
    throw ModelError(fmt::format("{}output would be empty for input {}", n.where(), dims_str(x)));
  return w;
}

ClipRange clip_range(const Node& n, const Graph& g) {
  ClipRange r{-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
  if (n.has("min")) r.lo = n.f("min", r.lo);
  if (n.has("max")) r.hi = n.f("max", r.hi);
  auto scalar = [&](size_t idx, float& out) {
    if (n.inputs.size() <= idx || n.inputs[idx].empty()) return;
    if (!g.is_constant(n.inputs[idx]))
      throw ModelError(n.where() + "min/max must be constants (initializers)");
    const auto& c = g.constant(n.inputs[idx]);
    if (c.f.size() != 1) throw ModelError(n.where() + "min/max must be scalars");
    out = c.f[0];
  };
  scalar(1, r.lo);
  scalar(2, r.hi);
  return r;
}

Dims broadcast_dims(const Node& n, const Dims& a, const Dims& b) {
  Dims out(std::max(a.size(), b.size()));
  for (size_t k = 0; k < out.size(); ++k) {
    int64_t da = k < out.size() - a.size() ? 1 : a[k - (out.size() - a.size())];
    int64_t db = k < out.size() - b.size() ? 1 : b[k - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      throw ModelError(fmt::format("{}shapes {} and {} cannot be broadcast", n.where(), dims_str(a),
                                   dims_str(b)));
    out[k] = std::max(da, db);
  }
  return out;
}

}  // namespace mlfaas::inference
