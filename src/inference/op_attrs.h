#pragma once
// Decoded attributes of the spatial ops (Conv, pooling), shared by shape inference, the reference
// interpreter and the oneDNN planner so all three agree on padding and output sizes.
#include "inference/graph.h"

namespace mlfaas::inference {

struct Window2d {
  int64_t kh = 1, kw = 1;
  int64_t sh = 1, sw = 1;
  int64_t dh = 1, dw = 1;                       // dilations (1 = none)
  int64_t pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0;
  int64_t group = 1;
  int64_t out_h = 0, out_w = 0;
};

// Conv: x = [N,C,H,W], w = [M, C/group, kH, kW]. Resolves auto_pad, validates, computes out_h/out_w.
Window2d conv_window(const Node& n, const Dims& x, const Dims& w);
// MaxPool/AveragePool (ceil_mode is folded into pad_b/pad_r so the output size matches ONNX).
Window2d pool_window(const Node& n, const Dims& x);

struct ClipRange {
  float lo, hi;
};
// Clip's bounds come from attributes (opset < 11) or from constant inputs 1 and 2 (opset >= 11).
ClipRange clip_range(const Node& n, const Graph& g);

// Numpy-style broadcast of two shapes; throws ModelError naming the node when incompatible.
Dims broadcast_dims(const Node& n, const Dims& a, const Dims& b);

}  // namespace mlfaas::inference
