#include "image/orientation.h"

#include <cstring>

namespace mlfaas::image {

Image apply_orientation(const Image& src, int o) {
  if (o < 2 || o > 8) return src;
  const int W = src.width, H = src.height;
  Image dst;
  const bool transpose = o >= 5;
  dst.width = transpose ? H : W;
  dst.height = transpose ? W : H;
  dst.rgb.resize(src.rgb.size());
  // For every destination pixel (x, y), the source pixel it comes from.
  for (int y = 0; y < dst.height; ++y) {
    uint8_t* out = &dst.rgb[size_t(y) * dst.width * 3];
    for (int x = 0; x < dst.width; ++x, out += 3) {
      int sx, sy;
      switch (o) {
        case 2: sx = W - 1 - x, sy = y; break;
        case 3: sx = W - 1 - x, sy = H - 1 - y; break;
        case 4: sx = x, sy = H - 1 - y; break;
        case 5: sx = y, sy = x; break;
        case 6: sx = y, sy = H - 1 - x; break;
        case 7: sx = W - 1 - y, sy = H - 1 - x; break;
        default: sx = W - 1 - y, sy = x; break;  // 8
      }
      std::memcpy(out, &src.rgb[(size_t(sy) * W + sx) * 3], 3);
    }
  }
  return dst;
}

}  // namespace mlfaas::image
