#include "image/pipeline.h"

#include <stdexcept>

#include "image/codecs.h"

namespace mlfaas::image {

ImageInfo decode_and_preprocess(std::span<const uint8_t> bytes, const PreprocessSpec& spec, float* out,
                                bool dct_scaling, const DecodeOptions& base) {
  DecodeOptions opt = base;
  ImageInfo info = probe(bytes, opt.max_pixels);
  if (dct_scaling && info.format == Format::jpeg) {
    const bool upright = opt.apply_exif_orientation;
    MinDecodeSize m = min_decode_size(upright ? info.display_height() : info.height,
                                      upright ? info.display_width() : info.width, spec);
    opt.min_width = m.width;
    opt.min_height = m.height;
  }
  preprocess(detail::decode_probed(bytes, info, opt), spec, out);
  return info;
}

std::vector<float> to_tensor(std::span<const uint8_t> bytes, const PreprocessSpec& spec, bool dct_scaling,
                             const DecodeOptions& base) {
  if (spec.out_height < 1 || spec.out_width < 1) throw std::invalid_argument("preprocess: sizes in the spec must be positive");
  std::vector<float> t(size_t(3) * spec.out_height * spec.out_width);
  decode_and_preprocess(bytes, spec, t.data(), dct_scaling, base);
  return t;
}

}  // namespace mlfaas::image
