// BMP, parsed by hand: uncompressed 1/2/4/8-bit palette and 16/24/32-bit pixels, including
// BI_BITFIELDS / BI_ALPHABITFIELDS masks, bottom-up and top-down rows, all header versions
// (OS/2 core 12, OS/2 2.x 16/64, Windows 40/52/56/108/124). RLE and embedded JPEG/PNG are refused.
#include <fmt/format.h>

#include <bit>
#include <vector>

#include "image/alpha.h"
#include "image/bytes.h"
#include "image/codecs.h"

namespace mlfaas::image::detail {

namespace {

enum : uint32_t { BI_RGB = 0, BI_RLE8 = 1, BI_RLE4 = 2, BI_BITFIELDS = 3, BI_JPEG = 4, BI_PNG = 5, BI_ALPHABITFIELDS = 6 };

struct Header {
  uint64_t data_offset = 0;
  int64_t width = 0, height = 0;
  bool top_down = false;
  int bpp = 0;
  uint32_t mask[4] = {};  // R, G, B, A for 16/32-bit
  bool bitfields = false;
  size_t palette_offset = 0, palette_entry = 4, palette_count = 0;
};

[[noreturn]] void unsupported(std::string msg) { throw DecodeError(ErrorKind::unsupported_format, std::move(msg)); }

Header parse_header(std::span<const uint8_t> b) {
  Header h;
  if (b.size() < 18) throw_corrupt(Format::bmp, "file ends inside the header");
  h.data_offset = le32(&b[10]);
  const uint32_t hs = le32(&b[14]);
  if (hs != 12 && hs != 16 && hs != 40 && hs != 52 && hs != 56 && hs != 64 && hs != 108 && hs != 124)
    throw_corrupt(Format::bmp, fmt::format("unknown header size {}", hs));
  if (b.size() < 14 + size_t(hs)) throw_corrupt(Format::bmp, "file ends inside the header");
  const uint8_t* p = &b[14];
  uint32_t compression = BI_RGB, colors_used = 0;
  if (hs == 12) {  // OS/2 1.x core header: 16-bit unsigned sizes, 3-byte palette entries
    h.width = le16(p + 4);
    h.height = le16(p + 6);
    h.bpp = le16(p + 10);
    h.palette_entry = 3;
  } else {
    h.width = int32_t(le32(p + 4));
    h.height = int32_t(le32(p + 8));
    h.bpp = le16(p + 14);
    if (hs >= 20) compression = le32(p + 16);
    if (hs >= 36) colors_used = le32(p + 32);
  }
  if (h.height < 0) h.top_down = true, h.height = -h.height;
  h.palette_offset = 14 + size_t(hs);

  const bool os2 = hs == 16 || hs == 64;  // OS/2 2.x numbers its compressions differently
  if (compression == BI_RLE8 || compression == BI_RLE4 || (os2 && compression == 4))
    unsupported("RLE-compressed BMP is not supported; send an uncompressed BMP, PNG or JPEG");
  if (os2 && compression != BI_RGB) unsupported(fmt::format("OS/2 BMP compression {} is not supported", compression));
  if (compression == BI_JPEG || compression == BI_PNG)
    unsupported("BMP with an embedded JPEG or PNG is not supported; send the JPEG or PNG itself");
  if (compression != BI_RGB && compression != BI_BITFIELDS && compression != BI_ALPHABITFIELDS)
    unsupported(fmt::format("BMP compression type {} is not supported", compression));
  if (h.bpp != 1 && h.bpp != 2 && h.bpp != 4 && h.bpp != 8 && h.bpp != 16 && h.bpp != 24 && h.bpp != 32)
    unsupported(fmt::format("BMP with {} bits per pixel is not supported", h.bpp));

  if (compression == BI_BITFIELDS || compression == BI_ALPHABITFIELDS) {
    if (h.bpp != 16 && h.bpp != 32) throw_corrupt(Format::bmp, fmt::format("bit fields with {}-bit pixels", h.bpp));
    h.bitfields = true;
    const int n = compression == BI_ALPHABITFIELDS ? 4 : 3;
    const uint8_t* m;
    if (hs >= 52) {
      m = p + 40;  // the masks are part of V2+ headers (alpha from V3 on)
      for (int i = 0; i < (hs >= 56 ? 4 : 3); ++i) h.mask[i] = le32(m + 4 * i);
    } else {  // BITMAPINFOHEADER: the masks follow the header
      if (b.size() < h.palette_offset + 4 * size_t(n)) throw_corrupt(Format::bmp, "file ends inside the bit masks");
      m = &b[h.palette_offset];
      for (int i = 0; i < n; ++i) h.mask[i] = le32(m + 4 * i);
      h.palette_offset += 4 * size_t(n);
    }
    for (int i = 0; i < 4; ++i) {
      uint32_t v = h.mask[i];
      if (v && !std::has_single_bit((v >> std::countr_zero(v)) + uint64_t(1)))
        throw_corrupt(Format::bmp, fmt::format("non-contiguous bit mask {:#x}", v));
    }
  } else if (h.bpp == 16) {
    h.mask[0] = 0x7C00, h.mask[1] = 0x03E0, h.mask[2] = 0x001F;  // 5-5-5
  } else if (h.bpp == 32) {
    h.mask[0] = 0xFF0000, h.mask[1] = 0xFF00, h.mask[2] = 0xFF;  // BGRX: the 4th byte is padding
  }

  if (h.bpp <= 8) {
    const size_t max_colors = size_t(1) << h.bpp;
    h.palette_count = colors_used == 0 || colors_used > max_colors ? max_colors : colors_used;
    if (b.size() < h.palette_offset + h.palette_count * h.palette_entry)
      throw_corrupt(Format::bmp, "file ends inside the palette");
  }
  return h;
}

// Extracts the field `mask` from px and scales it to 0..255 with rounding.
struct Field {
  uint32_t mask = 0;
  int shift = 0;
  uint64_t max = 0;
  explicit Field(uint32_t m) : mask(m) {
    if (m) shift = std::countr_zero(m), max = uint64_t(m >> shift);
  }
  uint8_t operator()(uint32_t px) const {
    if (!max) return 0;
    return uint8_t((uint64_t((px & mask) >> shift) * 255 + max / 2) / max);
  }
};

}  // namespace

ImageInfo probe_bmp(std::span<const uint8_t> b, uint64_t max_pixels) {
  Header h = parse_header(b);
  check_dimensions(Format::bmp, h.width, h.height, max_pixels);
  return {Format::bmp, int(h.width), int(h.height), 1};
}

Image decode_bmp(std::span<const uint8_t> b, const ImageInfo& info) {
  const Header h = parse_header(b);
  const size_t W = size_t(info.width), H = size_t(info.height);
  const uint64_t stride = (uint64_t(W) * h.bpp + 31) / 32 * 4;
  const uint64_t row_bytes = (uint64_t(W) * h.bpp + 7) / 8;
  if (h.data_offset > b.size() || b.size() - h.data_offset < row_bytes ||
      (b.size() - h.data_offset - row_bytes) / stride < H - 1)
    throw_corrupt(Format::bmp, "pixel data is truncated");

  uint8_t palette[256][3] = {};  // entries past palette_count stay black
  for (size_t i = 0; i < h.palette_count; ++i) {
    const uint8_t* e = &b[h.palette_offset + i * h.palette_entry];
    palette[i][0] = e[2], palette[i][1] = e[1], palette[i][2] = e[0];  // stored BGR(X)
  }
  const Field R(h.mask[0]), G(h.mask[1]), B(h.mask[2]), A(h.mask[3]);
  const bool has_alpha = h.bitfields && h.mask[3] != 0;
  std::vector<uint8_t> alpha(has_alpha ? W * H : 0);
  bool any_alpha = false;

  Image img;
  img.width = info.width;
  img.height = info.height;
  img.rgb.resize(W * H * 3);
  for (size_t y = 0; y < H; ++y) {
    const uint8_t* row = &b[h.data_offset + (h.top_down ? y : H - 1 - y) * stride];
    uint8_t* out = &img.rgb[y * W * 3];
    for (size_t x = 0; x < W; ++x, out += 3) {
      if (h.bpp <= 8) {
        const size_t bit = x * h.bpp;
        const unsigned idx = (row[bit / 8] >> (8 - h.bpp - bit % 8)) & ((1u << h.bpp) - 1);
        out[0] = palette[idx][0], out[1] = palette[idx][1], out[2] = palette[idx][2];
      } else if (h.bpp == 24) {
        const uint8_t* px = row + 3 * x;
        out[0] = px[2], out[1] = px[1], out[2] = px[0];
      } else {
        const uint32_t px = h.bpp == 16 ? le16(row + 2 * x) : le32(row + 4 * x);
        out[0] = R(px), out[1] = G(px), out[2] = B(px);
        if (has_alpha) any_alpha |= (alpha[y * W + x] = A(px)) != 0;
      }
    }
  }
  // An alpha mask whose channel is 0 everywhere is a writer bug (the image would be invisible);
  // browsers show such files opaque, and so do we.
  if (any_alpha) {
    for (size_t i = 0; i < W * H; ++i)
      for (int c = 0; c < 3; ++c) img.rgb[3 * i + c] = over_white(img.rgb[3 * i + c], alpha[i]);
  }
  return img;
}

}  // namespace mlfaas::image::detail
