// PNG through libpng's classic API, reading from memory. Exact: no gamma or colour-management
// transforms; 16-bit samples keep their high byte (png_set_strip_16, what PIL does), palettes and tRNS
// expand to RGB(A), and alpha is composited over white.
#include <png.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "image/alpha.h"
#include "image/bytes.h"
#include "image/codecs.h"

namespace mlfaas::image::detail {

namespace {

// Everything that must outlive a longjmp lives here, outside the frame that calls setjmp.
struct Reader {
  std::span<const uint8_t> in;
  size_t pos = 0;
  char error[256] = "unknown libpng error";
  png_structp png = nullptr;
  png_infop info = nullptr;
  std::vector<uint8_t> pixels;
  std::vector<png_bytep> rows;
  uint32_t width = 0, height = 0;
  int channels = 0;
  ~Reader() { png_destroy_read_struct(&png, &info, nullptr); }
};

void on_error(png_structp png, png_const_charp msg) {
  auto* r = static_cast<Reader*>(png_get_error_ptr(png));
  std::snprintf(r->error, sizeof r->error, "%s", msg ? msg : "unknown libpng error");
  png_longjmp(png, 1);
}

// Warnings are about ancillary chunks (a bad iCCP profile, a CRC error in tEXt): pixels are unaffected.
void on_warning(png_structp, png_const_charp) {}

void read_bytes(png_structp png, png_bytep out, size_t n) {
  auto* r = static_cast<Reader*>(png_get_io_ptr(png));
  if (r->in.size() - r->pos < n) png_error(png, "unexpected end of data");
  std::memcpy(out, r->in.data() + r->pos, n);
  r->pos += n;
}

// Returns false (with r.error) when libpng bails out. No automatic object with a destructor lives in
// this frame, so the longjmp skips nothing; allocations go into r.
bool read_png(Reader& r, uint64_t max_pixels) {
  if (setjmp(png_jmpbuf(r.png))) return false;
  png_set_read_fn(r.png, &r, read_bytes);
  png_set_chunk_malloc_max(r.png, 16u << 20);  // bounds decompressed ancillary chunks (zTXt/iCCP bombs)
  png_read_info(r.png, r.info);

  int bit_depth = 0, color_type = 0;
  png_get_IHDR(r.png, r.info, &r.width, &r.height, &bit_depth, &color_type, nullptr, nullptr, nullptr);
  check_dimensions(Format::png, r.width, r.height, max_pixels);  // same IHDR probe saw; cheap insurance

  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(r.png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(r.png);
  if (png_get_valid(r.png, r.info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(r.png);
  if (bit_depth == 16) png_set_strip_16(r.png);
  if (!(color_type & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(r.png);
  png_set_interlace_handling(r.png);
  png_read_update_info(r.png, r.info);

  r.channels = png_get_channels(r.png, r.info);
  const size_t row_bytes = size_t(r.width) * size_t(r.channels);
  if ((r.channels != 3 && r.channels != 4) || png_get_rowbytes(r.png, r.info) != row_bytes)
    png_error(r.png, "unexpected pixel layout after transforms");
  r.pixels.resize(row_bytes * r.height);
  r.rows.resize(r.height);
  for (uint32_t y = 0; y < r.height; ++y) r.rows[y] = r.pixels.data() + y * row_bytes;
  png_read_image(r.png, r.rows.data());
  png_read_end(r.png, nullptr);  // verifies the trailing chunks: a file cut after IDAT is truncated
  return true;
}

}  // namespace

ImageInfo probe_png(std::span<const uint8_t> b, uint64_t max_pixels) {
  // Signature (8), then IHDR: length 13, "IHDR", width, height (big-endian).
  if (b.size() < 24) throw_corrupt(Format::png, "file ends inside the header");
  if (be32(&b[8]) != 13 || std::memcmp(&b[12], "IHDR", 4) != 0) throw_corrupt(Format::png, "missing IHDR chunk");
  uint32_t w = be32(&b[16]), h = be32(&b[20]);
  if (w > 0x7FFFFFFFu || h > 0x7FFFFFFFu) throw_corrupt(Format::png, "dimensions out of range");
  check_dimensions(Format::png, w, h, max_pixels);
  return {Format::png, int(w), int(h), 1};
}

Image decode_png(std::span<const uint8_t> b, const ImageInfo& info) {
  Reader r;
  r.in = b;
  r.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r, on_error, on_warning);
  if (!r.png || !(r.info = png_create_info_struct(r.png))) throw std::bad_alloc();
  // probe() already enforced max_pixels on these very dimensions; pass them through unchanged.
  if (!read_png(r, uint64_t(info.width) * uint64_t(info.height))) throw_corrupt(Format::png, r.error);

  Image img;
  img.width = int(r.width);
  img.height = int(r.height);
  const size_t n = size_t(r.width) * r.height;
  if (r.channels == 4) {
    rgba_to_rgb_over_white(r.pixels.data(), r.pixels.data(), n);
    r.pixels.resize(n * 3);
  }
  img.rgb = std::move(r.pixels);
  return img;
}

}  // namespace mlfaas::image::detail
