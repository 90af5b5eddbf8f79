// Hostile input: truncations and deterministic random mutations of valid files of every format must end
// in a DecodeError or a well-formed image, never a crash (this also runs under ASan + UBSan).
#include <gtest/gtest.h>
#include <png.h>
#include <turbojpeg.h>

#include <cstdlib>
#include <random>

#include "image/decode.h"
#include "test_images.h"

namespace mlfaas::image::test {

namespace {

struct Sample {
  std::string name;
  Bytes bytes;
};

std::vector<Sample> samples() {
  std::vector<Sample> s;
  Image img = smooth_image(37, 21);
  s.push_back({"jpeg_baseline420", encode_jpeg(img, 85, TJSAMP_420)});
  s.push_back({"jpeg_progressive", encode_jpeg(img, 85, TJSAMP_422, true)});
  s.push_back({"jpeg_exif", with_exif(encode_jpeg(img, 85, TJSAMP_444), exif_tiff(6, true))});
  s.push_back({"jpeg_cmyk", encode_jpeg_cmyk(std::vector<uint8_t>(16 * 8 * 4, 90), 16, 8, 90)});
  s.push_back({"jpeg_gray", encode_jpeg_gray(std::vector<uint8_t>(20 * 9, 77), 20, 9, 90)});
  s.push_back({"png_rgb", encode_png_rgb(img)});
  PngSpec p;
  p.width = 19, p.height = 11, p.color_type = PNG_COLOR_TYPE_PALETTE, p.bit_depth = 4, p.interlace = true;
  for (int i = 0; i < 16 * 3; ++i) p.palette.push_back(uint8_t(i * 5));
  p.trns = {0, 50, 100};
  p.data.assign(10 * 11, 0x1F);
  s.push_back({"png_palette_interlaced", encode_png(p)});
  PngSpec g;
  g.width = 9, g.height = 5, g.color_type = PNG_COLOR_TYPE_GRAY_ALPHA, g.bit_depth = 16;
  g.data.assign(9 * 5 * 4, 0x42);
  s.push_back({"png_gray_alpha16", encode_png(g)});
  std::vector<uint8_t> rgba(37 * 21 * 4);
  for (size_t i = 0; i < rgba.size(); ++i) rgba[i] = uint8_t(i % 4 == 3 ? 128 + i % 100 : img.rgb[i / 4 * 3 + i % 4]);
  s.push_back({"webp_lossy_alpha", encode_webp(rgba, 37, 21, false)});
  s.push_back({"webp_lossless", encode_webp(rgba, 37, 21, true)});
  std::vector<Bytes> rows;
  for (int y = 0; y < 21; ++y) rows.emplace_back(37 * 3, uint8_t(y * 10));
  BmpSpec b;
  b.width = 37, b.height = 21;
  s.push_back({"bmp24", make_bmp(b, rows)});
  b.bpp = 8, b.palette = {1, 2, 3, 4, 5, 6, 7, 8, 9}, b.colors_used = 3;
  s.push_back({"bmp8", make_bmp(b, rows)});
  BmpSpec b32;
  b32.width = 5, b32.height = 3, b32.bpp = 32, b32.header_size = 124, b32.compression = 3;
  b32.masks = {0xFF0000, 0xFF00, 0xFF, 0xFF000000};
  s.push_back({"bmp32_bitfields", make_bmp(b32, std::vector<Bytes>(3, Bytes(20, 0x80)))});
  GifSpec gs;
  gs.screen_w = gs.width = 23, gs.screen_h = gs.height = 14, gs.transparent = 2;
  for (int i = 0; i < 8 * 3; ++i) gs.palette.push_back(uint8_t(i * 10));
  for (int i = 0; i < 23 * 14; ++i) gs.indices.push_back(uint8_t(i % 8));
  s.push_back({"gif", encode_gif(gs)});
  gs.interlace = true, gs.frames = 2, gs.local_palette = true;
  s.push_back({"gif_interlaced", encode_gif(gs)});
  return s;
}

uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

// Recomputes every chunk CRC, so a mutated PNG gets past libpng's CRC check into the real parsing.
void fix_png_crcs(Bytes& b) {
  for (size_t pos = 8; pos + 12 <= b.size();) {
    const size_t len = size_t(b[pos]) << 24 | size_t(b[pos + 1]) << 16 | size_t(b[pos + 2]) << 8 | b[pos + 3];
    if (len > b.size() - pos - 12) break;
    const uint32_t crc = crc32(&b[pos + 4], len + 4);
    for (int k = 0; k < 4; ++k) b[pos + 8 + len + size_t(k)] = uint8_t(crc >> (24 - 8 * k));
    pos += 12 + len;
  }
}

enum Outcome { failed, rejected, decoded };

// Probes and decodes; `failed` (after reporting) if anything other than DecodeError escaped or a
// "successful" image is malformed.
Outcome outcome(const Bytes& b, int min_size) {
  DecodeOptions opt;
  opt.max_pixels = 1 << 20;  // mutated headers may claim big sizes; keep allocations small
  opt.min_width = opt.min_height = min_size;
  try {
    probe(b, opt.max_pixels);
  } catch (const DecodeError&) {
  }
  try {
    Image im = decode(b, opt);
    if (im.width < 1 || im.height < 1 || im.rgb.size() != size_t(im.width) * im.height * 3) {
      ADD_FAILURE() << "malformed image " << im.width << "x" << im.height << " with " << im.rgb.size() << " bytes";
      return failed;
    }
    return decoded;
  } catch (const DecodeError& e) {
    if (std::string(e.what()).empty()) {
      ADD_FAILURE() << "empty error message";
      return failed;
    }
    return rejected;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "non-DecodeError exception: " << e.what();
    return failed;
  }
}

}  // namespace

TEST(Hostile, SamplesDecode) {
  for (const Sample& s : samples()) EXPECT_NO_THROW(decode(s.bytes)) << s.name;
}

TEST(Hostile, TruncatedEverywhere) {
  for (const Sample& s : samples()) {
    SCOPED_TRACE(s.name);
    for (size_t n = 0; n < s.bytes.size(); n += 1 + n / 16) {
      Bytes cut(s.bytes.begin(), s.bytes.begin() + long(n));
      ASSERT_NE(outcome(cut, 0), failed) << n;
    }
  }
}

TEST(Hostile, RandomMutations) {
  // 400 deterministic mutants per sample (by default): 1-4 random bytes replaced, biased towards the headers,
  // sometimes a byte run duplicated or removed. Half of them decode with DCT scaling requested;
  // half of the PNG mutants get valid chunk CRCs.
  // MLFAAS_IMAGE_MUTANTS raises the count for a deeper run (e.g. 20000 under ASan).
  const char* env = std::getenv("MLFAAS_IMAGE_MUTANTS");
  const int mutants = env ? std::max(1, std::atoi(env)) : 400;
  std::mt19937 rng(20240601);
  for (const Sample& s : samples()) {
    SCOPED_TRACE(s.name);
    int n_decoded = 0;
    for (int m = 0; m < mutants; ++m) {
      Bytes b = s.bytes;
      const int edits = 1 + int(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        size_t limit = rng() % 2 ? std::min<size_t>(b.size(), 96) : b.size();
        size_t at = rng() % limit;
        switch (rng() % 8) {
          case 0: b.erase(b.begin() + long(at), b.begin() + long(std::min(b.size(), at + 1 + rng() % 16))); break;
          case 1: b.insert(b.begin() + long(at), b.begin() + long(at), b.begin() + long(std::min(b.size(), at + 1 + rng() % 16))); break;
          case 2: b[at] = 0xFF; break;
          case 3: b[at] = 0x00; break;
          default: b[at] = uint8_t(rng()); break;
        }
        if (b.empty()) break;
      }
      if (s.name.rfind("png", 0) == 0 && m % 2 == 0) fix_png_crcs(b);
      Outcome o = outcome(b, m % 2 ? 9 : 0);
      ASSERT_NE(o, failed) << "mutant " << m;
      n_decoded += o == decoded;
    }
    // Not a requirement, just visibility into how many mutants still decoded.
    std::printf("[ hostile  ] %-24s %5d/%d mutants decoded\n", s.name.c_str(), n_decoded, mutants);
  }
}

}  // namespace mlfaas::image::test
