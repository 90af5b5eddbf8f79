#pragma once
// Encoded image bytes -> one row of the model's input tensor, exactly as the service does it (the
// CLI uses the same code so `mlfaas classify` and the HTTP API give identical numbers).
#include <string_view>

#include "function/inference_task.h"
#include "model/model.h"

namespace mlfaas::function {

struct DecodeSettings {
  uint64_t max_pixels = 50'000'000;
  // Big JPEGs are decoded at a reduced DCT scale (1/2, 1/4, 1/8...), but only to a size that is
  // still `jpeg_dct_min_ratio` times what preprocessing samples from: decoding right down to the
  // resize target moves MobileNetV2's probabilities by up to 0.04 on the golden photos, while at
  // 2x the golden photos decode at full size and big photos still decode 4-16x faster
  // (docs/benchmarks.md, "JPEG DCT scaling").
  bool jpeg_dct_scaling = true;
  double jpeg_dct_min_ratio = 4.0;
};

// Fills `dst` (image_input_size floats) and r.decode_ms / r.preprocess_ms. Throws image::DecodeError.
void image_to_tensor(std::string_view bytes, const model::Model& m, const DecodeSettings& s, float* dst,
                     TaskResult& r);

// Maps a decode failure onto r (status + message).
void set_decode_failure(const std::exception& e, TaskResult& r);

}  // namespace mlfaas::function
