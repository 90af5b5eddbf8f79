#pragma once
// In-memory encoders and image generators for the image tests: every test file is built here,
// with the reference libraries (TurboJPEG, libpng, libwebp, giflib) or by hand (BMP, EXIF).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "image/decode.h"
#include "image/image.h"

namespace mlfaas::image::test {

using Bytes = std::vector<uint8_t>;

// The DecodeError f throws, or nullopt when it throws nothing (other exceptions propagate).
template <class F> std::optional<DecodeError> decode_error(F&& f) {
  try {
    f();
  } catch (const DecodeError& e) {
    return e;
  }
  return std::nullopt;
}

inline std::span<const uint8_t> span_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Uniform random RGB (deterministic per seed).
Image random_image(int w, int h, uint32_t seed);
// A smooth pattern that survives lossy compression with small errors.
Image smooth_image(int w, int h);
// Pixel (x, y) of an image.
inline const uint8_t* px(const Image& im, int x, int y) { return &im.rgb[(size_t(y) * im.width + x) * 3]; }
// max |a - b| over all samples; images must have equal sizes (checked by the caller).
int max_abs_diff(const Image& a, const Image& b);

// JPEG via tjCompress2. subsamp is a TJSAMP_* value.
Bytes encode_jpeg(const Image&, int quality, int subsamp, bool progressive = false);
// Through libjpeg itself, with explicit per-component sampling factors (layouts TurboJPEG can't name).
Bytes encode_jpeg_sampling(const Image&, const int h_samp[3], const int v_samp[3], int quality);
Bytes encode_jpeg_gray(const std::vector<uint8_t>& gray, int w, int h, int quality);
// 4 bytes per pixel as TurboJPEG takes them (it writes a YCCK JPEG with an Adobe marker).
Bytes encode_jpeg_cmyk(const std::vector<uint8_t>& cmyk, int w, int h, int quality);
// A TIFF blob with IFD0 = {Make (ASCII), Orientation (SHORT)}, little- or big-endian.
Bytes exif_tiff(int orientation, bool big_endian);
// Inserts an APP1 segment "Exif\0\0" + tiff right after SOI.
Bytes with_exif(const Bytes& jpeg, const Bytes& tiff);

// PNG via libpng's writer. rows are PNG-format sample bytes (packed, 16-bit big-endian), no filter byte.
struct PngSpec {
  int width = 0, height = 0;
  int color_type = 0;  // PNG_COLOR_TYPE_*
  int bit_depth = 8;
  bool interlace = false;
  std::vector<uint8_t> data;           // height * row_bytes
  std::vector<uint8_t> palette;        // RGB triples (PLTE)
  std::vector<uint8_t> trns;           // tRNS alpha per palette entry
  int trns_gray = -1;                  // tRNS for gray images (sample value)
};
Bytes encode_png(const PngSpec&);
// Plain 8-bit RGB or RGBA PNG.
Bytes encode_png_rgb(const Image&);

// WebP via libwebp (RGBA input, 4 bytes per pixel).
Bytes encode_webp(const std::vector<uint8_t>& rgba, int w, int h, bool lossless, float quality = 90);

// BMP by hand. rows: top-down, each exactly ceil(w*bpp/8) bytes of pixel data as the file stores them.
struct BmpSpec {
  int width = 0, height = 0, bpp = 24;
  uint32_t header_size = 40;
  uint32_t compression = 0;
  bool top_down = false;
  std::vector<uint32_t> masks;   // written for BI_BITFIELDS (3) / BI_ALPHABITFIELDS (4)
  std::vector<uint8_t> palette;  // RGB triples
  uint32_t colors_used = 0;
};
Bytes make_bmp(const BmpSpec&, const std::vector<Bytes>& rows);

// GIF via giflib: one frame of indices at (left, top) on a screen; rows in natural order
// (the encoder reorders them when interlaced). transparent = -1 for none.
struct GifSpec {
  int screen_w = 0, screen_h = 0;
  int left = 0, top = 0, width = 0, height = 0;
  bool interlace = false;
  std::vector<uint8_t> palette;  // RGB triples, power-of-two count
  std::vector<uint8_t> indices;  // width * height
  int transparent = -1;
  bool local_palette = false;
  int frames = 1;  // extra frames repeat the first (to check only the first is decoded)
};
Bytes encode_gif(const GifSpec&);

}  // namespace mlfaas::image::test
