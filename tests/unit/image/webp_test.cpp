// WebP: lossless exact, lossy identical to libwebp's own RGB output, alpha over white, no animation.
#include <gtest/gtest.h>
#include <webp/decode.h>

#include <cmath>
#include <random>

#include "image/decode.h"
#include "test_images.h"

namespace mlfaas::image::test {

namespace {

std::vector<uint8_t> to_rgba(const Image& im, std::mt19937* alpha_rng) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < im.rgb.size(); i += 3) {
    out.insert(out.end(), {im.rgb[i], im.rgb[i + 1], im.rgb[i + 2]});
    out.push_back(alpha_rng ? uint8_t((*alpha_rng)()) : 255);
  }
  return out;
}

uint8_t white_bg(int c, int a) { return uint8_t(std::lround((c * a + 255.0 * (255 - a)) / 255.0)); }

// libwebp's own RGBA decode, composited over white here.
Image reference(const Bytes& w) {
  int width = 0, height = 0;
  uint8_t* p = WebPDecodeRGBA(w.data(), w.size(), &width, &height);
  Image im{width, height, {}};
  for (int i = 0; i < width * height; ++i)
    for (int c = 0; c < 3; ++c) im.rgb.push_back(white_bg(p[4 * i + c], p[4 * i + 3]));
  WebPFree(p);
  return im;
}

}  // namespace

TEST(WebP, LosslessIsExact) {
  Image src = random_image(29, 17, 11);
  Image im = decode(encode_webp(to_rgba(src, nullptr), 29, 17, true));
  ASSERT_EQ(im.width, 29);
  ASSERT_EQ(im.height, 17);
  EXPECT_EQ(im.rgb, src.rgb);
}

TEST(WebP, LosslessAlphaOverWhite) {
  Image src = random_image(23, 9, 12);
  std::mt19937 rng(13);
  std::vector<uint8_t> rgba = to_rgba(src, &rng);
  rgba[3] = 0, rgba[7] = 255;
  Image im = decode(encode_webp(rgba, 23, 9, true));
  for (int i = 0; i < 23 * 9; ++i)
    for (int c = 0; c < 3; ++c)
      ASSERT_EQ(im.rgb[size_t(i) * 3 + c], white_bg(rgba[size_t(i) * 4 + c], rgba[size_t(i) * 4 + 3])) << i;
  EXPECT_EQ(im.rgb[0], 255);
}

TEST(WebP, LossyMatchesLibwebp) {
  Image src = smooth_image(64, 40);
  Bytes w = encode_webp(to_rgba(src, nullptr), 64, 40, false, 90);
  Image im = decode(w);
  EXPECT_EQ(im.rgb, reference(w).rgb);
  EXPECT_LE(max_abs_diff(im, src), 24);
}

TEST(WebP, LossyWithAlphaMatchesLibwebp) {
  Image src = smooth_image(40, 30);
  std::mt19937 rng(14);
  std::vector<uint8_t> rgba = to_rgba(src, &rng);
  Bytes w = encode_webp(rgba, 40, 30, false, 80);
  Image im = decode(w);
  EXPECT_EQ(im.rgb, reference(w).rgb);
}

TEST(WebP, AnimationIsRefused) {
  // RIFF/WEBP with a VP8X chunk whose flags say "animation", canvas 10x10, then an empty ANIM chunk.
  Bytes b = {'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X', 10, 0, 0, 0,
             0x02, 0, 0, 0, 9, 0, 0, 9, 0, 0, 'A', 'N', 'I', 'M', 6, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  auto e = decode_error([&] { decode(b); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::unsupported_format);
  EXPECT_NE(std::string(e->what()).find("animated WebP"), std::string::npos);
}

TEST(WebP, TruncationsAreErrors) {
  for (bool lossless : {false, true}) {
    Bytes w = encode_webp(to_rgba(smooth_image(48, 32), nullptr), 48, 32, lossless);
    for (size_t n = 1; n < w.size(); ++n) {
      Bytes cut(w.begin(), w.begin() + long(n));
      auto e = decode_error([&] { decode(cut); });
      ASSERT_TRUE(e) << n << " of " << w.size() << (lossless ? " lossless" : " lossy");
      if (n >= 12) {
        EXPECT_EQ(e->kind(), ErrorKind::corrupt) << e->what();
      }
    }
  }
}

}  // namespace mlfaas::image::test
