#pragma once
// What the service does per request: bytes -> model input tensor, with optional JPEG DCT scaling.
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

// Same, returning the tensor: to_tensor(bytes, spec, false) vs to_tensor(bytes, spec, true) gives the
// full-decode and the DCT-scaled input for comparing model outputs.
std::vector<float> to_tensor(std::span<const uint8_t> bytes, const PreprocessSpec& spec, bool dct_scaling = false,
                             const DecodeOptions& base = {});

}  // namespace mlfaas::image
