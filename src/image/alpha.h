#pragma once
// Transparent pixels are composited over white: a model sees what a browser shows on a white page.
#include <cstddef>
#include <cstdint>

namespace mlfaas::image {

// c over white with alpha a, rounded: (c*a + 255*(255-a)) / 255.
inline uint8_t over_white(unsigned c, unsigned a) {
  return uint8_t((c * a + 255u * (255u - a) + 127u) / 255u);
}

// Converts n RGBA pixels to RGB over white; dst may equal src (it never overtakes the reader).
inline void rgba_to_rgb_over_white(const uint8_t* src, uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; ++i, src += 4, dst += 3) {
    unsigned a = src[3];
    uint8_t r = over_white(src[0], a), g = over_white(src[1], a), b = over_white(src[2], a);
    dst[0] = r, dst[1] = g, dst[2] = b;
  }
}

}  // namespace mlfaas::image
