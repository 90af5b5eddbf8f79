#include "image/pipeline.h"

#include <chrono>
#include <stdexcept>

#include "image/codecs.h"

namespace mlfaas::image {

ImageInfo decode_and_preprocess(std::span<const uint8_t> bytes, const PreprocessSpec& spec, float* out,
                                const PipelineOptions& o, PipelineTimings* timings) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  DecodeOptions opt = o.base;
  ImageInfo info = probe(bytes, opt.max_pixels);
  if (o.dct_scaling && info.format == Format::jpeg) {
    const bool upright = opt.apply_exif_orientation;
    MinDecodeSize m = min_decode_size(upright ? info.display_height() : info.height,
                                      upright ? info.display_width() : info.width, spec);
    opt.min_width = int(m.width * o.dct_min_ratio);
    opt.min_height = int(m.height * o.dct_min_ratio);
  }
  Image img = detail::decode_probed(bytes, info, opt);
  const auto t1 = Clock::now();
  preprocess(img, spec, out);
  if (timings) {
    timings->decode_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    timings->preprocess_ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
  }
  return info;
}

ImageInfo decode_and_preprocess(std::span<const uint8_t> bytes, const PreprocessSpec& spec, float* out,
                                bool dct_scaling, const DecodeOptions& base) {
  PipelineOptions o;
  o.base = base;
  o.dct_scaling = dct_scaling;
  return decode_and_preprocess(bytes, spec, out, o);
}

std::vector<float> to_tensor(std::span<const uint8_t> bytes, const PreprocessSpec& spec, bool dct_scaling,
                             const DecodeOptions& base) {
  if (spec.out_height < 1 || spec.out_width < 1) throw std::invalid_argument("preprocess: sizes in the spec must be positive");
  std::vector<float> t(size_t(3) * spec.out_height * spec.out_width);
  decode_and_preprocess(bytes, spec, t.data(), dct_scaling, base);
  return t;
}

}  // namespace mlfaas::image
