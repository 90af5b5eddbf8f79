#include "image/preprocess.h"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <vector>

namespace mlfaas::image {

namespace {

int64_t floor_div2(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

// Where one output coordinate samples the source: two neighbours and the weight of the second.
struct Tap {
  int i0, i1;
  float f;
};

// Output coordinate o, crop offset off, source size src resized (virtually) to `resized`:
// the README's s = (o + off + 0.5) * src / resized - 0.5, clamped to [0, src - 1].
Tap tap(int o, int off, int src, int resized) {
  double s = (double(o) + off + 0.5) * src / resized - 0.5;
  s = std::clamp(s, 0.0, double(src - 1));
  int i0 = int(s);  // s >= 0, so truncation is floor
  return {i0, std::min(i0 + 1, src - 1), float(s - i0)};
}

}  // namespace

ResizeGeometry geometry(int h, int w, const PreprocessSpec& spec) {
  if (h < 1 || w < 1) throw std::invalid_argument("preprocess: image has no pixels");
  if (spec.out_height < 1 || spec.out_width < 1 || spec.resize_size < 1)
    throw std::invalid_argument("preprocess: sizes in the spec must be positive");
  if (spec.resize == PreprocessSpec::Resize::squash) return {spec.out_height, spec.out_width, 0, 0};
  const int64_t S = spec.resize_size;
  // floor(long * S / short + 0.5) in exact integer arithmetic.
  auto longer = [&](int64_t lng, int64_t shrt) { return std::min<int64_t>((2 * lng * S + shrt) / (2 * shrt), INT_MAX); };
  const int64_t rh = h <= w ? S : longer(h, w);
  const int64_t rw = h <= w ? longer(w, h) : S;  // h == w gives S too
  return {int(rh), int(rw), int(floor_div2(rh - spec.out_height)), int(floor_div2(rw - spec.out_width))};
}

void preprocess(const Image& img, const PreprocessSpec& spec, float* out) {
  const ResizeGeometry g = geometry(img.height, img.width, spec);
  const int W = img.width, H = img.height, OH = spec.out_height, OW = spec.out_width;
  if (img.rgb.size() != size_t(W) * size_t(H) * 3)
    throw std::invalid_argument("preprocess: rgb buffer size does not match width x height x 3");

  // Column taps are the same for every row: compute them once, as byte offsets into a row.
  std::vector<int> c0(OW), c1(OW);
  std::vector<float> fx(OW);
  for (int x = 0; x < OW; ++x) {
    Tap t = tap(x, g.crop_x, W, g.resized_w);
    c0[x] = 3 * t.i0, c1[x] = 3 * t.i1, fx[x] = t.f;
  }
  // Per *source* channel s (R, G, B): where its samples go and how they are normalised,
  // x = (v * scale - mean) / std with the division hoisted out (exact for the default std = 1).
  const size_t plane = size_t(OH) * OW, step = spec.nchw ? 1 : 3;  // step: between a channel's samples
  float* dst[3];
  float mean[3], inv_std[3];
  for (int s = 0; s < 3; ++s) {
    const int o = spec.bgr ? 2 - s : s;  // output channel
    dst[s] = out + (spec.nchw ? o * plane : size_t(o));
    mean[s] = spec.mean[o];
    inv_std[s] = 1.0f / spec.std[o];
  }
  // Locals and __restrict: otherwise each float store might alias the weights and constants, and
  // the compiler would reload them for every sample.
  float* __restrict o0 = dst[0];
  float* __restrict o1 = dst[1];
  float* __restrict o2 = dst[2];
  const float scale = spec.scale, m0 = mean[0], m1 = mean[1], m2 = mean[2];
  const float k0 = inv_std[0], k1 = inv_std[1], k2 = inv_std[2];
  const int* __restrict c0p = c0.data();
  const int* __restrict c1p = c1.data();
  const float* __restrict fxp = fx.data();

  const size_t row_bytes = size_t(W) * 3;
  for (int y = 0; y < OH; ++y) {
    const Tap ty = tap(y, g.crop_y, H, g.resized_h);
    const uint8_t* r0 = img.rgb.data() + size_t(ty.i0) * row_bytes;
    const uint8_t* r1 = img.rgb.data() + size_t(ty.i1) * row_bytes;
    const float fy = ty.f;
    for (int x = 0; x < OW; ++x) {
      const float f = fxp[x];
      const uint8_t *a = r0 + c0p[x], *b = r0 + c1p[x], *c = r1 + c0p[x], *d = r1 + c1p[x];
      float v[3];
      for (int s = 0; s < 3; ++s) {
        const float top = a[s] + (float(b[s]) - a[s]) * f;
        const float bot = c[s] + (float(d[s]) - c[s]) * f;
        v[s] = top + (bot - top) * fy;
      }
      const size_t i = (size_t(y) * OW + x) * step;
      o0[i] = (v[0] * scale - m0) * k0;
      o1[i] = (v[1] * scale - m1) * k1;
      o2[i] = (v[2] * scale - m2) * k2;
    }
  }
}

MinDecodeSize min_decode_size(int h, int w, const PreprocessSpec& spec) {
  ResizeGeometry g = geometry(h, w, spec);
  return {g.resized_w, g.resized_h};
}

}  // namespace mlfaas::image
