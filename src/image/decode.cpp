#include "image/decode.h"

#include <fmt/format.h>

#include "image/codecs.h"
#include "image/orientation.h"

namespace mlfaas::image {

namespace detail {

void throw_corrupt(Format f, std::string_view detail) {
  throw DecodeError(ErrorKind::corrupt, fmt::format("corrupt or truncated {}: {}", format_display(f), detail));
}

void check_dimensions(Format f, int64_t w, int64_t h, uint64_t max_pixels) {
  if (w < 1 || h < 1) throw_corrupt(f, fmt::format("invalid dimensions {}x{}", w, h));
  uint64_t pixels = uint64_t(w) * uint64_t(h);
  if (pixels > max_pixels)
    throw DecodeError(ErrorKind::too_many_pixels,
                      fmt::format("image is {}x{} = {} pixels, limit is {}", w, h, pixels, max_pixels));
}

}  // namespace detail

ImageInfo probe(std::span<const uint8_t> bytes, uint64_t max_pixels) {
  if (bytes.empty()) throw DecodeError(ErrorKind::empty, "image is empty");
  switch (sniff_format(bytes)) {
    case Format::jpeg: return detail::probe_jpeg(bytes, max_pixels);
    case Format::png: return detail::probe_png(bytes, max_pixels);
    case Format::webp: return detail::probe_webp(bytes, max_pixels);
    case Format::bmp: return detail::probe_bmp(bytes, max_pixels);
    case Format::gif: return detail::probe_gif(bytes, max_pixels);
    case Format::unknown: break;
  }
  std::string first;
  for (size_t i = 0; i < bytes.size() && i < 4; ++i) first += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
  throw DecodeError(ErrorKind::unsupported_format,
                    fmt::format("unsupported image format (first bytes {}): supported are JPEG, PNG, WebP, BMP, GIF",
                                first));
}

Image decode(std::span<const uint8_t> bytes, const DecodeOptions& opt) {
  return detail::decode_probed(bytes, probe(bytes, opt.max_pixels), opt);
}

Image detail::decode_probed(std::span<const uint8_t> bytes, const ImageInfo& info, const DecodeOptions& opt) {
  const bool orient = opt.apply_exif_orientation && info.orientation != 1;
  Image img;
  switch (info.format) {
    case Format::jpeg: {
      // The minimum size is asked for the final image; a transposing orientation swaps the axes.
      bool swap = orient && info.transposed();
      img = detail::decode_jpeg(bytes, info, swap ? opt.min_height : opt.min_width,
                                swap ? opt.min_width : opt.min_height);
      break;
    }
    case Format::png: img = detail::decode_png(bytes, info); break;
    case Format::webp: img = detail::decode_webp(bytes, info); break;
    case Format::bmp: img = detail::decode_bmp(bytes, info); break;
    case Format::gif: img = detail::decode_gif(bytes, info, opt.max_pixels); break;
    case Format::unknown: break;  // probe() already threw
  }
  if (orient) img = apply_orientation(img, info.orientation);
  return img;
}

}  // namespace mlfaas::image
