// Image probe + decode, every format (JPEG, PNG, WebP, BMP, GIF; EXIF orientation): any bytes end
// in a DecodeError or an image, never a crash, a leak or unbounded memory.
#include <cstddef>
#include <cstdint>

#include "image/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlfaas::image;
  std::span<const uint8_t> bytes(data, size);
  constexpr uint64_t kMaxPixels = 4'000'000;  // keeps each run fast; the limit itself is under test
  try {
    ImageInfo info = probe(bytes, kMaxPixels);
    (void)info;
  } catch (const DecodeError&) {
  }
  try {
    DecodeOptions o;
    o.max_pixels = kMaxPixels;
    o.min_width = o.min_height = size % 2 ? 224 : 0;  // with and without JPEG DCT scaling
    Image img = decode(bytes, o);
    (void)img;
  } catch (const DecodeError&) {
  }
  return 0;
}
