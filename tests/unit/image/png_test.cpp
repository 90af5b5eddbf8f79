// PNG decoding is exact: every colour type and bit depth against values computed here.
#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <random>

#include "image/decode.h"
#include "test_images.h"

namespace mlfaas::image::test {

namespace {

// The spec of compositing over white, written independently of the decoder.
uint8_t white_bg(int c, int a) { return uint8_t(std::lround((c * a + 255.0 * (255 - a)) / 255.0)); }

// Packs sub-byte samples MSB first, one row at a time.
Bytes pack(const std::vector<int>& samples, int w, int h, int bits) {
  const size_t row = (size_t(w) * bits + 7) / 8;
  Bytes out(row * h, 0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      size_t bit = size_t(x) * bits;
      out[y * row + bit / 8] |= uint8_t(samples[size_t(y) * w + x] << (8 - bits - bit % 8));
    }
  return out;
}

void expect_pixel(const Image& im, int x, int y, int r, int g, int b) {
  const uint8_t* p = px(im, x, y);
  EXPECT_EQ(p[0], r) << x << "," << y;
  EXPECT_EQ(p[1], g) << x << "," << y;
  EXPECT_EQ(p[2], b) << x << "," << y;
}

}  // namespace

TEST(Png, Rgb8AndInterlacedAreExact) {
  Image src = random_image(37, 23, 1);
  EXPECT_EQ(decode(encode_png_rgb(src)).rgb, src.rgb);
  PngSpec s;
  s.width = 37, s.height = 23, s.color_type = PNG_COLOR_TYPE_RGB, s.data = src.rgb, s.interlace = true;
  Image im = decode(encode_png(s));
  EXPECT_EQ(im.width, 37);
  EXPECT_EQ(im.rgb, src.rgb);
}

TEST(Png, GrayAtEveryBitDepth) {
  const int w = 13, h = 5;  // 13 columns: rows end mid-byte for 1/2/4 bits
  std::mt19937 rng(2);
  for (int bits : {1, 2, 4, 8, 16}) {
    SCOPED_TRACE(bits);
    std::vector<int> v(size_t(w) * h);
    for (int& s : v) s = int(rng() % (1u << bits));
    PngSpec s;
    s.width = w, s.height = h, s.color_type = PNG_COLOR_TYPE_GRAY, s.bit_depth = bits;
    if (bits < 8) {
      s.data = pack(v, w, h, bits);
    } else {
      for (int x : v) {
        if (bits == 16) s.data.push_back(uint8_t(x >> 8));
        s.data.push_back(uint8_t(x));
      }
    }
    for (bool interlace : {false, true}) {
      s.interlace = interlace;
      Image im = decode(encode_png(s));
      ASSERT_EQ(im.width, w);
      for (int i = 0; i < w * h; ++i) {
        // Low depths scale up to 0..255 (1 -> 255, 2-bit x85, 4-bit x17); 16-bit keeps the high byte.
        int expect = bits == 16 ? v[size_t(i)] >> 8 : v[size_t(i)] * 255 / ((1 << bits) - 1);
        expect_pixel(im, i % w, i / w, expect, expect, expect);
      }
    }
  }
}

TEST(Png, GrayAlphaOverWhite) {
  const int w = 16, h = 16;
  PngSpec s;
  s.width = w, s.height = h, s.color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
  for (int i = 0; i < w * h; ++i) s.data.push_back(uint8_t(i)), s.data.push_back(uint8_t(255 - i));
  Image im = decode(encode_png(s));
  for (int i = 0; i < w * h; ++i) {
    int v = white_bg(i, 255 - i);
    expect_pixel(im, i % w, i / w, v, v, v);
  }
}

TEST(Png, PaletteWithPartialTrns) {
  // 4 palette entries, tRNS for the first two only (the rest are opaque).
  PngSpec s;
  s.width = 9, s.height = 3, s.color_type = PNG_COLOR_TYPE_PALETTE, s.bit_depth = 2;
  s.palette = {10, 20, 30, 200, 100, 50, 1, 2, 3, 250, 251, 252};
  s.trns = {0, 128};
  std::vector<int> idx(27);
  for (int i = 0; i < 27; ++i) idx[size_t(i)] = i % 4;
  s.data = pack(idx, 9, 3, 2);
  Image im = decode(encode_png(s));
  for (int i = 0; i < 27; ++i) {
    const int k = i % 4, a = k == 0 ? 0 : k == 1 ? 128 : 255;
    expect_pixel(im, i % 9, i / 9, white_bg(s.palette[3 * k], a), white_bg(s.palette[3 * k + 1], a),
                 white_bg(s.palette[3 * k + 2], a));
  }
  // Same with 8-bit indices and interlacing.
  s.bit_depth = 8, s.interlace = true;
  s.data.assign(idx.begin(), idx.end());
  Image im8 = decode(encode_png(s));
  EXPECT_EQ(im8.rgb, im.rgb);
}

TEST(Png, Rgb16KeepsHighByte) {
  const int w = 7, h = 4;
  std::mt19937 rng(3);
  PngSpec s;
  s.width = w, s.height = h, s.color_type = PNG_COLOR_TYPE_RGB, s.bit_depth = 16;
  Image expect{w, h, {}};
  for (int i = 0; i < w * h * 3; ++i) {
    uint16_t v = uint16_t(rng());
    s.data.push_back(uint8_t(v >> 8)), s.data.push_back(uint8_t(v));
    expect.rgb.push_back(uint8_t(v >> 8));  // e.g. 0x80FF -> 0x80, not 0x81 (no rounding, no gamma)
  }
  s.data[0] = 0x80, s.data[1] = 0xFF, expect.rgb[0] = 0x80;
  EXPECT_EQ(decode(encode_png(s)).rgb, expect.rgb);
}

TEST(Png, RgbaOverWhiteAt8And16Bits) {
  const int w = 11, h = 6;
  std::mt19937 rng(4);
  for (int bits : {8, 16}) {
    PngSpec s;
    s.width = w, s.height = h, s.color_type = PNG_COLOR_TYPE_RGB_ALPHA, s.bit_depth = bits;
    std::vector<int> v(size_t(w) * h * 4);
    for (int& x : v) x = int(rng() % 256);
    v[3] = 0, v[7] = 255;  // fully transparent and fully opaque pixels included
    for (int x : v) {
      s.data.push_back(uint8_t(x));
      if (bits == 16) s.data.push_back(uint8_t(rng()));  // low byte: must not matter
    }
    Image im = decode(encode_png(s));
    for (int i = 0; i < w * h; ++i) {
      const int* p = &v[size_t(i) * 4];
      expect_pixel(im, i % w, i / w, white_bg(p[0], p[3]), white_bg(p[1], p[3]), white_bg(p[2], p[3]));
    }
    expect_pixel(im, 0, 0, 255, 255, 255);
    expect_pixel(im, 1, 0, v[4], v[5], v[6]);
  }
}

TEST(Png, GrayTrnsColorBecomesWhite) {
  PngSpec s;
  s.width = 4, s.height = 1, s.color_type = PNG_COLOR_TYPE_GRAY, s.bit_depth = 16;
  s.data = {0x12, 0x34, 0x12, 0x35, 0x00, 0x00, 0x12, 0x34};
  s.trns_gray = 0x1234;  // compared at 16 bits, before the high byte is taken
  Image im = decode(encode_png(s));
  expect_pixel(im, 0, 0, 255, 255, 255);
  expect_pixel(im, 1, 0, 0x12, 0x12, 0x12);
  expect_pixel(im, 2, 0, 0, 0, 0);
  expect_pixel(im, 3, 0, 255, 255, 255);
}

TEST(Png, EveryTruncationIsAnError) {
  Bytes p = encode_png_rgb(random_image(20, 10, 5));
  for (size_t n = 1; n < p.size(); ++n) {
    Bytes cut(p.begin(), p.begin() + long(n));
    auto e = decode_error([&] { decode(cut); });
    ASSERT_TRUE(e) << n;
    if (n >= 8) {
      EXPECT_EQ(e->kind(), ErrorKind::corrupt) << n;
      EXPECT_EQ(std::string(e->what()).rfind("corrupt or truncated PNG: ", 0), 0u) << e->what();
    }
  }
}

TEST(Png, BadIdatCrcIsCorrupt) {
  Bytes p = encode_png_rgb(random_image(20, 10, 6));
  for (size_t i = 8; i + 8 < p.size(); ++i)
    if (std::equal(p.begin() + long(i), p.begin() + long(i) + 4, "IDAT")) {
      p[i + 6] ^= 0x01;  // a byte of compressed data; the chunk CRC no longer matches
      break;
    }
  auto e = decode_error([&] { decode(p); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::corrupt);
  EXPECT_NE(std::string(e->what()).find("CRC"), std::string::npos) << e->what();
}

}  // namespace mlfaas::image::test
