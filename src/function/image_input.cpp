#include "function/image_input.h"

#include <chrono>

#include "image/decode.h"
#include "image/pipeline.h"

namespace mlfaas::function {

void image_to_tensor(std::string_view bytes, const model::Model& m, const DecodeSettings& s, float* dst,
                     TaskResult& r) {
  image::PipelineOptions o;
  o.base.max_pixels = s.max_pixels;
  o.dct_scaling = s.jpeg_dct_scaling;
  o.dct_min_ratio = s.jpeg_dct_min_ratio;
  image::PipelineTimings t;
  image::decode_and_preprocess({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, m.manifest.preprocess,
                               dst, o, &t);
  r.decode_ms = t.decode_ms;
  r.preprocess_ms = t.preprocess_ms;
}

void set_decode_failure(const std::exception& e, TaskResult& r) {
  r.error = e.what();
  if (auto* d = dynamic_cast<const image::DecodeError*>(&e)) {
    r.status = d->kind() == image::ErrorKind::unsupported_format ? TaskStatus::unsupported_format
               : d->kind() == image::ErrorKind::too_many_pixels  ? TaskStatus::too_many_pixels
                                                                  : TaskStatus::bad_image;
  } else {
    r.status = TaskStatus::internal;
    r.error = std::string("decoding failed: ") + e.what();
  }
}

}  // namespace mlfaas::function
