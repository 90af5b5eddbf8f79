#pragma once
// What the service does per image, and the only place it is done: bytes -> model input tensor,
// with optional JPEG DCT scaling. The service (function/image_input.cpp), `mlfaas classify` and the
// golden tests all come through here.
#include <span>
#include <vector>

#include "image/decode.h"
#include "image/preprocess.h"

namespace mlfaas::image {

// Decodes and preprocesses one image into out (3 * out_height * out_width floats) and returns what the
// header said. dct_scaling: a JPEG is decoded at the smallest DCT scale M/8 that still covers the resize
// target (min_decode_size), which is much faster on large photos but moves values slightly (see the
// DCT-scaling test); other formats are unaffected. base supplies max_pixels and apply_exif_orientation
// (its min_width/min_height are overwritten when dct_scaling is on).
ImageInfo decode_and_preprocess(std::span<const uint8_t> bytes, const PreprocessSpec& spec, float* out,
                                bool dct_scaling = false, const DecodeOptions& base = {});

struct PipelineOptions {
  DecodeOptions base;           // max_pixels, EXIF orientation
  bool dct_scaling = false;
  // With dct_scaling: decode to at least this many times what preprocessing samples from (1 = right
  // down to the resize target; the service uses 4, see function::DecodeSettings).
  double dct_min_ratio = 1.0;
};
struct PipelineTimings {
  double decode_ms = 0, preprocess_ms = 0;
};
ImageInfo decode_and_preprocess(std::span<const uint8_t> bytes, const PreprocessSpec& spec, float* out,
                                const PipelineOptions& options, PipelineTimings* timings = nullptr);

// Same, returning the tensor: to_tensor(bytes, spec, false) vs to_tensor(bytes, spec, true) gives the
// full-decode and the DCT-scaled input for comparing model outputs.
std::vector<float> to_tensor(std::span<const uint8_t> bytes, const PreprocessSpec& spec, bool dct_scaling = false,
                             const DecodeOptions& base = {});

}  // namespace mlfaas::image
