#include "image/format.h"

#include <cstring>

namespace mlfaas::image {

std::string_view format_name(Format f) {
  switch (f) {
    case Format::jpeg: return "jpeg";
    case Format::png: return "png";
    case Format::webp: return "webp";
    case Format::bmp: return "bmp";
    case Format::gif: return "gif";
    case Format::unknown: break;
  }
  return "unknown";
}

std::string_view format_display(Format f) {
  switch (f) {
    case Format::jpeg: return "JPEG";
    case Format::png: return "PNG";
    case Format::webp: return "WebP";
    case Format::bmp: return "BMP";
    case Format::gif: return "GIF";
    case Format::unknown: break;
  }
  return "unknown";
}

static bool starts_with(std::span<const uint8_t> b, const char* magic, size_t n, size_t at = 0) {
  return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
}

Format sniff_format(std::span<const uint8_t> b) {
  if (starts_with(b, "\xFF\xD8\xFF", 3)) return Format::jpeg;
  if (starts_with(b, "\x89PNG\r\n\x1A\n", 8)) return Format::png;
  if (starts_with(b, "RIFF", 4) && starts_with(b, "WEBP", 4, 8)) return Format::webp;
  if (starts_with(b, "GIF87a", 6) || starts_with(b, "GIF89a", 6)) return Format::gif;
  if (starts_with(b, "BM", 2)) return Format::bmp;
  return Format::unknown;
}

}  // namespace mlfaas::image
