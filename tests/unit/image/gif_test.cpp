// GIF: the first frame on its logical screen; transparency and uncovered area are white.
#include <gtest/gtest.h>

#include <random>

#include "image/decode.h"
#include "test_images.h"

namespace mlfaas::image::test {

namespace {

GifSpec random_gif(int w, int h, uint32_t seed) {
  std::mt19937 rng(seed);
  GifSpec s;
  s.screen_w = s.width = w, s.screen_h = s.height = h;
  for (int i = 0; i < 16 * 3; ++i) s.palette.push_back(uint8_t(rng()));
  for (int i = 0; i < w * h; ++i) s.indices.push_back(uint8_t(rng() % 16));
  return s;
}

// What the decoder must produce: frame pixels through the palette, white elsewhere and where transparent.
Image expected(const GifSpec& s) {
  Image im{s.screen_w, s.screen_h, std::vector<uint8_t>(size_t(s.screen_w) * s.screen_h * 3, 255)};
  for (int y = 0; y < s.height; ++y)
    for (int x = 0; x < s.width; ++x) {
      int X = s.left + x, Y = s.top + y, i = s.indices[size_t(y) * s.width + x];
      if (X >= s.screen_w || Y >= s.screen_h || i == s.transparent) continue;
      std::copy(&s.palette[3 * size_t(i)], &s.palette[3 * size_t(i)] + 3, &im.rgb[(size_t(Y) * s.screen_w + X) * 3]);
    }
  return im;
}

}  // namespace

TEST(Gif, PaletteImageIsExact) {
  GifSpec s = random_gif(13, 7, 31);
  Image im = decode(encode_gif(s));
  ASSERT_EQ(im.width, 13);
  ASSERT_EQ(im.height, 7);
  EXPECT_EQ(im.rgb, expected(s).rgb);
  s.local_palette = true;
  EXPECT_EQ(decode(encode_gif(s)).rgb, expected(s).rgb);
}

TEST(Gif, Interlaced) {
  for (int h : {1, 2, 3, 5, 8, 19}) {
    GifSpec s = random_gif(9, h, 32);
    s.interlace = true;
    EXPECT_EQ(decode(encode_gif(s)).rgb, expected(s).rgb) << h;
  }
}

TEST(Gif, TransparentBecomesWhite) {
  GifSpec s = random_gif(8, 8, 33);
  s.transparent = 3;
  s.indices[0] = 3;
  Image im = decode(encode_gif(s));
  EXPECT_EQ(im.rgb, expected(s).rgb);
  EXPECT_EQ(im.rgb[0], 255);
  EXPECT_EQ(im.rgb[1], 255);
  EXPECT_EQ(im.rgb[2], 255);
}

TEST(Gif, FrameSmallerThanScreenAndClipped) {
  GifSpec s = random_gif(5, 4, 34);
  s.screen_w = 10, s.screen_h = 8, s.left = 3, s.top = 2;
  Image im = decode(encode_gif(s));
  ASSERT_EQ(im.width, 10);
  EXPECT_EQ(im.rgb, expected(s).rgb);
  s.screen_w = 6, s.screen_h = 5;  // frame reaches to x = 8, y = 6: clipped
  im = decode(encode_gif(s));
  ASSERT_EQ(im.width, 6);
  ASSERT_EQ(im.height, 5);
  EXPECT_EQ(im.rgb, expected(s).rgb);
  s.left = 20;  // entirely outside
  EXPECT_EQ(decode(encode_gif(s)).rgb, std::vector<uint8_t>(6 * 5 * 3, 255));
}

TEST(Gif, AnimationGivesFirstFrame) {
  GifSpec s = random_gif(12, 6, 35);
  s.frames = 5;
  EXPECT_EQ(decode(encode_gif(s)).rgb, expected(s).rgb);
}

TEST(Gif, TruncationsAreErrorsUntilTheImageIsComplete) {
  GifSpec s = random_gif(30, 20, 36);
  Bytes g = encode_gif(s);
  // The last two bytes are the image data's block terminator and the trailer ';': without them the
  // frame is already complete, and the decoder doesn't need them.
  for (size_t n = 1; n < g.size(); ++n) {
    Bytes cut(g.begin(), g.begin() + long(n));
    auto e = decode_error([&] { decode(cut); });
    if (n + 2 < g.size()) {
      ASSERT_TRUE(e) << n << " of " << g.size();
      if (n >= 6) {
        EXPECT_EQ(std::string(e->what()).rfind("corrupt or truncated GIF: ", 0), 0u) << e->what();
      }
    }
  }
}

TEST(Gif, NoImageIsCorrupt) {
  Bytes g = {'G', 'I', 'F', '8', '9', 'a', 4, 0, 4, 0, 0, 0, 0, ';'};
  auto e = decode_error([&] { decode(g); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::corrupt);
  EXPECT_NE(std::string(e->what()).find("no image"), std::string::npos) << e->what();
}

}  // namespace mlfaas::image::test
