#pragma once
// Image -> model input tensor: resize (shorter side + center crop, or squash), normalise, lay out.
// The resize is one bilinear sample per output pixel with half-pixel centers, computed on float values
// and never rounded (OpenCV INTER_LINEAR / PyTorch bilinear align_corners=False, antialias=False on a
// float image), exactly as the MobileNetV2 model README specifies.
#include "image/image.h"

namespace mlfaas::image {

struct PreprocessSpec {
  enum class Resize { shorter_side_center_crop, squash } resize = Resize::shorter_side_center_crop;
  int resize_size = 256;  // shorter side after resize (shorter_side_center_crop)
  int out_height = 224, out_width = 224;
  float scale = 1.0f / 127.5f;  // x = (v * scale - mean[c]) / std[c], c = output channel
  float mean[3] = {1, 1, 1};
  float std[3] = {1, 1, 1};
  bool bgr = false;   // channel order of the output (mean/std follow the output order)
  bool nchw = true;   // else NHWC
};

// The virtual resized image and where the crop sits in it.
// shorter_side_center_crop: shorter side -> resize_size, longer -> floor(long * resize_size / short + 0.5),
// crop offsets floor((resized - out) / 2). squash: resized = out size, offsets 0.
// A longer side beyond INT_MAX (absurd aspect ratios) is clamped.
struct ResizeGeometry {
  int resized_h, resized_w, crop_y, crop_x;
};
ResizeGeometry geometry(int h, int w, const PreprocessSpec&);

// Writes 3 * out_height * out_width floats for one image. Throws std::invalid_argument on an empty or
// inconsistent image or a non-positive size in the spec.
void preprocess(const Image&, const PreprocessSpec&, float* out);

// For JPEG DCT scaling: the smallest decoded size (width x height of the upright image) that still
// covers the resize target of an h x w image, so decoding that small never makes preprocessing upsample
// where a full-size decode would not. Use as DecodeOptions::min_width / min_height.
struct MinDecodeSize {
  int width = 0, height = 0;
};
MinDecodeSize min_decode_size(int h, int w, const PreprocessSpec&);

}  // namespace mlfaas::image
