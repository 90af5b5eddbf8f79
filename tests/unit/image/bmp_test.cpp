// BMP: hand-written files for every supported layout, and the refusals.
#include <gtest/gtest.h>

#include "image/decode.h"
#include "test_images.h"

namespace mlfaas::image::test {

namespace {

// Rows of an Image as 24-bit BGR.
std::vector<Bytes> bgr_rows(const Image& im) {
  std::vector<Bytes> rows;
  for (int y = 0; y < im.height; ++y) {
    Bytes r;
    for (int x = 0; x < im.width; ++x) r.insert(r.end(), {px(im, x, y)[2], px(im, x, y)[1], px(im, x, y)[0]});
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

TEST(Bmp, Bgr24BottomUpAndTopDown) {
  Image src = random_image(7, 5, 21);  // 21-byte rows: 3 bytes of padding each
  for (bool top_down : {false, true})
    for (uint32_t hs : {12u, 40u, 108u, 124u}) {
      if (hs == 12 && top_down) continue;  // the OS/2 core header has unsigned heights
      BmpSpec s;
      s.width = 7, s.height = 5, s.bpp = 24, s.top_down = top_down, s.header_size = hs;
      Image im = decode(make_bmp(s, bgr_rows(src)));
      EXPECT_EQ(im.width, 7);
      EXPECT_EQ(im.height, 5);
      EXPECT_EQ(im.rgb, src.rgb) << "header " << hs << (top_down ? " top-down" : " bottom-up");
    }
}

TEST(Bmp, PaletteDepths) {
  const uint8_t pal[] = {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7, 250, 251, 252, 1, 2, 3, 4, 5, 6,
                         10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120};
  const int w = 11, h = 3;
  for (int bpp : {1, 2, 4, 8}) {
    SCOPED_TRACE(bpp);
    const int colors = std::min(1 << bpp, 12);
    BmpSpec s;
    s.width = w, s.height = h, s.bpp = bpp;
    s.palette.assign(pal, pal + 3 * colors);
    s.colors_used = bpp >= 4 ? uint32_t(colors) : 0;  // 0 means "all 2^bpp"
    std::vector<Bytes> rows;
    std::vector<int> idx;
    for (int y = 0; y < h; ++y) {
      Bytes r((size_t(w) * bpp + 7) / 8, 0);
      for (int x = 0; x < w; ++x) {
        int i = (x + 3 * y) % colors;
        idx.push_back(i);
        size_t bit = size_t(x) * bpp;
        r[bit / 8] |= uint8_t(i << (8 - bpp - bit % 8));
      }
      rows.push_back(r);
    }
    Image im = decode(make_bmp(s, rows));
    for (int i = 0; i < w * h; ++i)
      for (int c = 0; c < 3; ++c) ASSERT_EQ(px(im, i % w, i / w)[c], pal[3 * idx[size_t(i)] + c]) << i;
  }
}

TEST(Bmp, PaletteIndexPastTheTableIsBlack) {
  BmpSpec s;
  s.width = 2, s.height = 1, s.bpp = 8, s.palette = {200, 100, 50}, s.colors_used = 1;
  Image im = decode(make_bmp(s, {Bytes{0, 77}}));
  EXPECT_EQ(im.rgb, (std::vector<uint8_t>{200, 100, 50, 0, 0, 0}));
}

TEST(Bmp, SixteenBit555And565) {
  BmpSpec s;
  s.width = 3, s.height = 1, s.bpp = 16;
  // 5-5-5 default: white, pure red (31 -> 255), mid grey 16 -> round(16*255/31) = 132
  auto le = [](uint16_t v) { return Bytes{uint8_t(v), uint8_t(v >> 8)}; };
  Bytes row;
  for (uint16_t v : {uint16_t(0x7FFF), uint16_t(0x7C00), uint16_t(16 << 10 | 16 << 5 | 16)}) {
    Bytes b = le(v);
    row.insert(row.end(), b.begin(), b.end());
  }
  Image im = decode(make_bmp(s, {row}));
  EXPECT_EQ(im.rgb, (std::vector<uint8_t>{255, 255, 255, 255, 0, 0, 132, 132, 132}));
  // 5-6-5 via BI_BITFIELDS: green has 6 bits (63 -> 255, 32 -> round(32*255/63) = 130).
  s.compression = 3, s.masks = {0xF800, 0x07E0, 0x001F};
  row.clear();
  for (uint16_t v : {uint16_t(0xFFFF), uint16_t(0x07E0), uint16_t(32 << 5)}) {
    Bytes b = le(v);
    row.insert(row.end(), b.begin(), b.end());
  }
  im = decode(make_bmp(s, {row}));
  EXPECT_EQ(im.rgb, (std::vector<uint8_t>{255, 255, 255, 0, 255, 0, 0, 130, 0}));
}

TEST(Bmp, ThirtyTwoBit) {
  // BI_RGB: BGRX, the 4th byte is ignored even when it is 0.
  BmpSpec s;
  s.width = 2, s.height = 1, s.bpp = 32;
  Image im = decode(make_bmp(s, {Bytes{10, 20, 30, 0, 40, 50, 60, 128}}));
  EXPECT_EQ(im.rgb, (std::vector<uint8_t>{30, 20, 10, 60, 50, 40}));
  // BI_BITFIELDS with an alpha mask in a V4 header (RGBA byte order here): composited over white.
  s.header_size = 108, s.compression = 3, s.masks = {0x000000FF, 0x0000FF00, 0x00FF0000, 0xFF000000};
  im = decode(make_bmp(s, {Bytes{200, 100, 50, 0, 200, 100, 50, 128}}));
  EXPECT_EQ(im.rgb, (std::vector<uint8_t>{255, 255, 255, 227, 177, 152}));
  // The same with alpha 0 everywhere: a writer bug, shown opaque.
  im = decode(make_bmp(s, {Bytes{200, 100, 50, 0, 1, 2, 3, 0}}));
  EXPECT_EQ(im.rgb, (std::vector<uint8_t>{200, 100, 50, 1, 2, 3}));
  // BI_ALPHABITFIELDS with masks after a 40-byte header.
  s.header_size = 40, s.compression = 6;
  im = decode(make_bmp(s, {Bytes{200, 100, 50, 255, 200, 100, 50, 0}}));
  EXPECT_EQ(im.rgb, (std::vector<uint8_t>{200, 100, 50, 255, 255, 255}));
}

TEST(Bmp, RefusesRleAndEmbeddedFormats) {
  BmpSpec s;
  s.width = 2, s.height = 2, s.bpp = 8, s.palette = {0, 0, 0, 255, 255, 255};
  for (uint32_t c : {1u, 2u}) {
    s.compression = c, s.bpp = c == 1 ? 8 : 4;
    auto e = decode_error([&] { decode(make_bmp(s, {Bytes{0, 1}, Bytes{1, 0}})); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), ErrorKind::unsupported_format);
    EXPECT_NE(std::string(e->what()).find("RLE-compressed BMP is not supported"), std::string::npos) << e->what();
  }
  s.compression = 4, s.bpp = 24, s.palette.clear();
  auto e = decode_error([&] { decode(make_bmp(s, {Bytes(6), Bytes(6)})); });
  EXPECT_EQ(e->kind(), ErrorKind::unsupported_format);
  EXPECT_NE(std::string(e->what()).find("embedded JPEG or PNG"), std::string::npos);
}

TEST(Bmp, MalformedHeaders) {
  BmpSpec s;
  s.width = 3, s.height = 2, s.bpp = 24;  // 9 bytes of pixels + 3 of padding per row
  Bytes good = make_bmp(s, {Bytes(9, 1), Bytes(9, 2)});
  auto kind = [](Bytes b) { return decode_error([&] { decode(b); }); };
  Bytes b = good;
  b[14] = 41;  // unknown header size
  EXPECT_NE(std::string(kind(b)->what()).find("unknown header size 41"), std::string::npos);
  b = good;
  b[28] = 17;  // 17 bits per pixel
  EXPECT_EQ(kind(b)->kind(), ErrorKind::unsupported_format);
  b = good;
  b[10] = 0xF0, b[11] = 0xFF;  // pixel data offset past the end
  EXPECT_NE(std::string(kind(b)->what()).find("pixel data is truncated"), std::string::npos);
  b = good;
  b[18] = 0;  // width 0
  EXPECT_EQ(kind(b)->kind(), ErrorKind::corrupt);
  b = good;
  b.pop_back();  // the last row's padding may be missing ...
  EXPECT_NO_THROW(decode(b));
  b.resize(b.size() - 3);  // ... but not its pixels
  EXPECT_EQ(kind(b)->kind(), ErrorKind::corrupt);
  // Non-contiguous bit mask.
  BmpSpec m;
  m.width = 1, m.height = 1, m.bpp = 32, m.compression = 3, m.masks = {0xF0F0, 0xFF0000, 0xFF};
  EXPECT_NE(std::string(kind(make_bmp(m, {Bytes(4)}))->what()).find("non-contiguous"), std::string::npos);
}

}  // namespace mlfaas::image::test
