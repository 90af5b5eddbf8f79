#include "test_images.h"

#include <gif_lib.h>
#include <cstdio>
#include <jpeglib.h>
#include <png.h>
#include <turbojpeg.h>
#include <webp/encode.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>

namespace mlfaas::image::test {

Image random_image(int w, int h, uint32_t seed) {
  std::mt19937 rng(seed);
  Image im{w, h, std::vector<uint8_t>(size_t(w) * h * 3)};
  for (auto& v : im.rgb) v = uint8_t(rng());
  return im;
}

Image smooth_image(int w, int h) {
  Image im{w, h, std::vector<uint8_t>(size_t(w) * h * 3)};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &im.rgb[(size_t(y) * w + x) * 3];
      p[0] = uint8_t(40 + 170 * x / std::max(1, w - 1));
      p[1] = uint8_t(40 + 170 * y / std::max(1, h - 1));
      p[2] = uint8_t(128 + 60 * std::sin(x * 0.15) * std::cos(y * 0.1));
    }
  return im;
}

int max_abs_diff(const Image& a, const Image& b) {
  int m = 0;
  for (size_t i = 0; i < a.rgb.size() && i < b.rgb.size(); ++i) m = std::max(m, std::abs(a.rgb[i] - b.rgb[i]));
  return m;
}

static Bytes tj_compress(const uint8_t* src, int w, int h, int pf, int subsamp, int quality, int flags) {
  tjhandle tj = tjInitCompress();
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  int rc = tjCompress2(tj, src, w, 0, h, pf, &buf, &size, subsamp, quality, flags);
  std::string err = rc ? tjGetErrorStr2(tj) : "";
  tjDestroy(tj);
  if (rc) throw std::runtime_error("tjCompress2: " + err);
  Bytes out(buf, buf + size);
  tjFree(buf);
  return out;
}

Bytes encode_jpeg(const Image& im, int quality, int subsamp, bool progressive) {
  return tj_compress(im.rgb.data(), im.width, im.height, TJPF_RGB, subsamp, quality,
                     TJFLAG_ACCURATEDCT | (progressive ? TJFLAG_PROGRESSIVE : 0));
}

Bytes encode_jpeg_sampling(const Image& im, const int h_samp[3], const int v_samp[3], int quality) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  err.error_exit = [](j_common_ptr cinfo) {  // libjpeg's default would exit(0) the test quietly
    char msg[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, msg);
    std::fprintf(stderr, "encode_jpeg_sampling: %s\n", msg);
    std::abort();
  };
  jpeg_create_compress(&c);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buf, &size);
  c.image_width = JDIMENSION(im.width), c.image_height = JDIMENSION(im.height);
  c.input_components = 3, c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  for (int i = 0; i < 3; ++i) c.comp_info[i].h_samp_factor = h_samp[i], c.comp_info[i].v_samp_factor = v_samp[i];
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(&im.rgb[size_t(c.next_scanline) * im.width * 3]);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  Bytes out(buf, buf + size);
  free(buf);
  return out;
}

Bytes encode_jpeg_gray(const std::vector<uint8_t>& gray, int w, int h, int quality) {
  return tj_compress(gray.data(), w, h, TJPF_GRAY, TJSAMP_GRAY, quality, TJFLAG_ACCURATEDCT);
}

Bytes encode_jpeg_cmyk(const std::vector<uint8_t>& cmyk, int w, int h, int quality) {
  return tj_compress(cmyk.data(), w, h, TJPF_CMYK, TJSAMP_444, quality, TJFLAG_ACCURATEDCT);
}

Bytes exif_tiff(int orientation, bool be) {
  Bytes t;
  auto u16 = [&](uint16_t v) {
    if (be) t.push_back(uint8_t(v >> 8)), t.push_back(uint8_t(v));
    else t.push_back(uint8_t(v)), t.push_back(uint8_t(v >> 8));
  };
  auto u32 = [&](uint32_t v) {
    if (be) u16(uint16_t(v >> 16)), u16(uint16_t(v));
    else u16(uint16_t(v)), u16(uint16_t(v >> 16));
  };
  t.push_back(be ? 'M' : 'I'), t.push_back(be ? 'M' : 'I');
  u16(42);
  u32(8);  // IFD0 right after the header
  u16(2);  // two entries
  u16(0x010F), u16(2), u32(4), t.insert(t.end(), {'a', 'b', 'c', 0});  // Make = "abc" (inline)
  u16(0x0112), u16(3), u32(1), u16(uint16_t(orientation)), u16(0);    // Orientation
  u32(0);  // no next IFD
  return t;
}

Bytes with_exif(const Bytes& jpeg, const Bytes& tiff) {
  const size_t len = 2 + 6 + tiff.size();
  const uint8_t head[] = {0xFF, 0xE1, uint8_t(len >> 8), uint8_t(len), 'E', 'x', 'i', 'f', 0, 0};
  // memcpy rather than vector::insert: GCC 12 reports false -Warray-bounds on the inserts.
  Bytes out(jpeg.size() + sizeof head + tiff.size());
  uint8_t* p = out.data();
  std::memcpy(p, jpeg.data(), 2), p += 2;  // SOI
  std::memcpy(p, head, sizeof head), p += sizeof head;
  if (!tiff.empty()) std::memcpy(p, tiff.data(), tiff.size()), p += tiff.size();
  std::memcpy(p, jpeg.data() + 2, jpeg.size() - 2);
  return out;
}

static void png_write_bytes(png_structp png, png_bytep data, size_t n) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + n);
}
static void png_flush(png_structp) {}

Bytes encode_png(const PngSpec& s) {
  Bytes out;
  std::vector<png_bytep> rows(size_t(s.height));
  std::vector<png_color> plte;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error("libpng write failed");
  }
  png_set_write_fn(png, &out, png_write_bytes, png_flush);
  png_set_IHDR(png, info, s.width, s.height, s.bit_depth, s.color_type,
               s.interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  for (size_t i = 0; i + 2 < s.palette.size(); i += 3) plte.push_back({s.palette[i], s.palette[i + 1], s.palette[i + 2]});
  if (!plte.empty()) png_set_PLTE(png, info, plte.data(), int(plte.size()));
  if (!s.trns.empty()) png_set_tRNS(png, info, s.trns.data(), int(s.trns.size()), nullptr);
  png_color_16 trns_color{};
  if (s.trns_gray >= 0) {
    trns_color.gray = png_uint_16(s.trns_gray);
    png_set_tRNS(png, info, nullptr, 0, &trns_color);
  }
  png_write_info(png, info);
  const size_t row_bytes = png_get_rowbytes(png, info);
  for (int y = 0; y < s.height; ++y) rows[size_t(y)] = const_cast<png_bytep>(s.data.data() + y * row_bytes);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

Bytes encode_png_rgb(const Image& im) {
  PngSpec s;
  s.width = im.width, s.height = im.height, s.color_type = PNG_COLOR_TYPE_RGB, s.data = im.rgb;
  return encode_png(s);
}

Bytes encode_webp(const std::vector<uint8_t>& rgba, int w, int h, bool lossless, float quality) {
  uint8_t* buf = nullptr;
  size_t n = lossless ? WebPEncodeLosslessRGBA(rgba.data(), w, h, w * 4, &buf)
                      : WebPEncodeRGBA(rgba.data(), w, h, w * 4, quality, &buf);
  if (!n) throw std::runtime_error("WebPEncode failed");
  Bytes out(buf, buf + n);
  WebPFree(buf);
  return out;
}

Bytes make_bmp(const BmpSpec& s, const std::vector<Bytes>& rows) {
  const size_t stride = (size_t(s.width) * s.bpp + 31) / 32 * 4;
  const bool mask_after_header = s.header_size == 40 && !s.masks.empty();
  const size_t palette_entry = s.header_size == 12 ? 3 : 4;
  const size_t palette_bytes = s.palette.size() / 3 * palette_entry;
  const size_t offset = 14 + s.header_size + (mask_after_header ? 4 * s.masks.size() : 0) + palette_bytes;
  Bytes b;
  auto u16 = [&](uint32_t v) { b.push_back(uint8_t(v)), b.push_back(uint8_t(v >> 8)); };
  auto u32 = [&](uint32_t v) { u16(v & 0xFFFF), u16(v >> 16); };
  b.push_back('B'), b.push_back('M');
  u32(uint32_t(offset + stride * s.height));
  u32(0);
  u32(uint32_t(offset));
  u32(s.header_size);
  if (s.header_size == 12) {
    u16(uint32_t(s.width)), u16(uint32_t(s.height)), u16(1), u16(uint32_t(s.bpp));
  } else {
    u32(uint32_t(s.width));
    u32(uint32_t(s.top_down ? -s.height : s.height));
    u16(1), u16(uint32_t(s.bpp));
    u32(s.compression);
    u32(uint32_t(stride * s.height));
    u32(2835), u32(2835);
    u32(s.colors_used), u32(0);
    size_t written = 40;
    if (s.header_size >= 52)
      for (size_t i = 0; i < 4 && written < s.header_size; ++i, written += 4) u32(i < s.masks.size() ? s.masks[i] : 0);
    while (written < s.header_size) b.push_back(0), ++written;  // colour space fields: zero
    if (mask_after_header)
      for (uint32_t m : s.masks) u32(m);
  }
  for (size_t i = 0; i + 2 < s.palette.size(); i += 3) {
    b.push_back(s.palette[i + 2]), b.push_back(s.palette[i + 1]), b.push_back(s.palette[i]);
    if (palette_entry == 4) b.push_back(0);
  }
  if (b.size() != offset) throw std::logic_error("make_bmp: offset mismatch");
  for (int y = 0; y < s.height; ++y) {
    const Bytes& r = rows[size_t(s.top_down ? y : s.height - 1 - y)];
    Bytes padded(stride, 0);
    std::memcpy(padded.data(), r.data(), std::min(r.size(), stride));
    b.insert(b.end(), padded.begin(), padded.end());
  }
  return b;
}

static int gif_write_bytes(GifFileType* gif, const GifByteType* data, int n) {
  auto* out = static_cast<Bytes*>(gif->UserData);
  out->insert(out->end(), data, data + n);
  return n;
}

Bytes encode_gif(const GifSpec& s) {
  Bytes out;
  int err = 0;
  GifFileType* gif = EGifOpen(&out, gif_write_bytes, &err);
  if (!gif) throw std::runtime_error("EGifOpen failed");
  const int ncolors = int(s.palette.size() / 3);
  std::vector<GifColorType> colors(static_cast<size_t>(ncolors));
  for (int i = 0; i < ncolors; ++i) colors[size_t(i)] = {s.palette[3 * i], s.palette[3 * i + 1], s.palette[3 * i + 2]};
  ColorMapObject* map = GifMakeMapObject(ncolors, colors.data());
  EGifSetGifVersion(gif, true);
  bool ok = EGifPutScreenDesc(gif, s.screen_w, s.screen_h, 8, 0, s.local_palette ? nullptr : map) == GIF_OK;
  for (int f = 0; ok && f < s.frames; ++f) {
    if (s.transparent >= 0) {
      GifByteType gce[4] = {1, 0, 0, GifByteType(s.transparent)};
      ok = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, gce) == GIF_OK;
    }
    ok = ok && EGifPutImageDesc(gif, s.left, s.top, s.width, s.height, s.interlace,
                                s.local_palette ? map : nullptr) == GIF_OK;
    static constexpr int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
    for (int pass = 0; ok && pass < (s.interlace ? 4 : 1); ++pass)
      for (int y = s.interlace ? start[pass] : 0; ok && y < s.height; y += s.interlace ? step[pass] : 1)
        ok = EGifPutLine(gif, const_cast<GifPixelType*>(&s.indices[size_t(y) * s.width]), s.width) == GIF_OK;
  }
  GifFreeMapObject(map);
  if (EGifCloseFile(gif, &err) != GIF_OK || !ok) throw std::runtime_error("giflib encode failed");
  return out;
}

}  // namespace mlfaas::image::test
