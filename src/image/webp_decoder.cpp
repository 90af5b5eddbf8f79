// WebP (lossy, lossless, with alpha) through libwebp's simple decoder, straight into our buffer.
// Animated WebP is refused with a clear message rather than silently taking one frame.
#include <webp/decode.h>

#include <fmt/format.h>

#include <vector>

#include "image/alpha.h"
#include "image/codecs.h"

namespace mlfaas::image::detail {

namespace {

std::string_view status_text(VP8StatusCode s) {
  switch (s) {
    case VP8_STATUS_OK: return "ok";
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "decoding suspended";
    case VP8_STATUS_USER_ABORT: return "decoding aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "not enough data";
  }
  return "unknown error";
}

WebPBitstreamFeatures features(std::span<const uint8_t> b) {
  WebPBitstreamFeatures f;
  VP8StatusCode s = WebPGetFeatures(b.data(), b.size(), &f);
  if (s != VP8_STATUS_OK) throw_corrupt(Format::webp, status_text(s));
  if (f.has_animation)
    throw DecodeError(ErrorKind::unsupported_format, "animated WebP is not supported; send a single frame");
  return f;
}

}  // namespace

ImageInfo probe_webp(std::span<const uint8_t> b, uint64_t max_pixels) {
  WebPBitstreamFeatures f = features(b);
  check_dimensions(Format::webp, f.width, f.height, max_pixels);
  return {Format::webp, f.width, f.height, 1};
}

Image decode_webp(std::span<const uint8_t> b, const ImageInfo& info) {
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) throw std::runtime_error("libwebp version mismatch");
  config.input = features(b);
  const bool alpha = config.input.has_alpha;
  const size_t n = size_t(info.width) * size_t(info.height);
  std::vector<uint8_t> buf(n * (alpha ? 4 : 3));
  WebPRGBABuffer& out = config.output.u.RGBA;
  config.output.colorspace = alpha ? MODE_RGBA : MODE_RGB;
  config.output.is_external_memory = 1;
  out.rgba = buf.data();
  out.stride = info.width * (alpha ? 4 : 3);
  out.size = buf.size();
  VP8StatusCode s = WebPDecode(b.data(), b.size(), &config);
  WebPFreeDecBuffer(&config.output);  // no-op for external memory, but the documented pairing
  if (s != VP8_STATUS_OK) throw_corrupt(Format::webp, status_text(s));
  if (config.output.width != info.width || config.output.height != info.height)
    throw_corrupt(Format::webp, "decoded size differs from the header");

  Image img;
  img.width = info.width;
  img.height = info.height;
  if (alpha) {
    rgba_to_rgb_over_white(buf.data(), buf.data(), n);
    buf.resize(n * 3);
  }
  img.rgb = std::move(buf);
  return img;
}

}  // namespace mlfaas::image::detail
