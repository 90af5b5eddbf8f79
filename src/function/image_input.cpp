#include "function/image_input.h"

#include <chrono>

#include "image/decode.h"
#include "image/preprocess.h"

namespace mlfaas::function {

using Clock = std::chrono::steady_clock;

void image_to_tensor(std::string_view bytes, const model::Model& m, const DecodeSettings& s, float* dst,
                     TaskResult& r) {
  const auto& spec = m.manifest.preprocess;
  auto t0 = Clock::now();
  std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  image::DecodeOptions opts;
  opts.max_pixels = s.max_pixels;
  if (s.jpeg_dct_scaling) {
    // Decode big JPEGs at the smallest DCT scale that still covers the resize target.
    image::ImageInfo info = image::probe(data, s.max_pixels);
    auto min = image::min_decode_size(info.display_height(), info.display_width(), spec);
    opts.min_width = int(min.width * s.jpeg_dct_min_ratio);
    opts.min_height = int(min.height * s.jpeg_dct_min_ratio);
  }
  image::Image img = image::decode(data, opts);
  auto t1 = Clock::now();
  image::preprocess(img, spec, dst);
  r.decode_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  r.preprocess_ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
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
