// JPEG decoding: libjpeg-turbo defaults exactly, every colour layout, DCT scaling, strict truncation.
#include <gtest/gtest.h>
#include <turbojpeg.h>

#include "image/decode.h"
#include "image/jpeg_markers.h"
#include "test_images.h"

namespace mlfaas::image::test {

// Reference decode straight through TurboJPEG with the given flags.
static Image tj_reference(const Bytes& j, int flags) {
  tjhandle tj = tjInitDecompress();
  int w, h, ss, cs;
  tjDecompressHeader3(tj, j.data(), j.size(), &w, &h, &ss, &cs);
  Image im{w, h, std::vector<uint8_t>(size_t(w) * h * 3)};
  int rc = tjDecompress2(tj, j.data(), j.size(), im.rgb.data(), w, 0, h, TJPF_RGB, flags);
  tjDestroy(tj);
  EXPECT_EQ(rc, 0);
  return im;
}

struct Layout {
  const char* name;
  int subsamp;
  bool progressive;
  int max_error;  // vs the source pixels, quality 95 on smooth_image (observed + margin)
};

class JpegLayout : public ::testing::TestWithParam<Layout> {};

TEST_P(JpegLayout, DecodesExactlyLikeLibjpegTurboDefaults) {
  const Layout& l = GetParam();
  Image src = smooth_image(61, 45);  // odd sizes: partial MCUs on both axes
  Bytes j = encode_jpeg(src, 95, l.subsamp, l.progressive);
  Image im = decode(j);
  ASSERT_EQ(im.width, 61);
  ASSERT_EQ(im.height, 45);
  // Bit-identical to ISLOW IDCT + fancy upsampling (what the golden values assume) ...
  EXPECT_EQ(im.rgb, tj_reference(j, TJFLAG_ACCURATEDCT).rgb);
  // ... and close to what was encoded.
  EXPECT_LE(max_abs_diff(im, src), l.max_error);
}

TEST(Jpeg, FastFlagsWouldBeDetected) {
  // Guards the test above: the fast paths really produce different pixels on chroma-subsampled input.
  Bytes j = encode_jpeg(random_image(64, 48, 7), 90, TJSAMP_420);
  EXPECT_NE(decode(j).rgb, tj_reference(j, TJFLAG_FASTUPSAMPLE).rgb);
  EXPECT_NE(decode(j).rgb, tj_reference(j, TJFLAG_FASTDCT).rgb);
}

INSTANTIATE_TEST_SUITE_P(Layouts, JpegLayout,
                         ::testing::Values(Layout{"baseline444", TJSAMP_444, false, 6},
                                           Layout{"baseline422", TJSAMP_422, false, 12},
                                           Layout{"baseline420", TJSAMP_420, false, 12},
                                           Layout{"baseline440", TJSAMP_440, false, 12},
                                           Layout{"baseline411", TJSAMP_411, false, 16},
                                           Layout{"progressive444", TJSAMP_444, true, 6},
                                           Layout{"progressive420", TJSAMP_420, true, 12}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(Jpeg, UnusualSamplingFactors) {
  // Luma 2x1 with chroma 1x2, and Cb/Cr at different factors: legal JPEG, but TurboJPEG 2.1's header
  // call cannot name them; the decoder falls back to its own SOF parse and libjpeg decodes them.
  Image src = smooth_image(50, 34);
  const int h1[3] = {2, 1, 1}, v1[3] = {1, 2, 2};
  const int h2[3] = {2, 1, 2}, v2[3] = {2, 1, 1};
  for (Bytes j : {encode_jpeg_sampling(src, h1, v1, 95), encode_jpeg_sampling(src, h2, v2, 95)}) {
    tjhandle tj = tjInitDecompress();
    int w, h, ss, cs;
    EXPECT_NE(tjDecompressHeader3(tj, j.data(), j.size(), &w, &h, &ss, &cs), 0) << "fallback not exercised";
    tjDestroy(tj);
    ImageInfo info = probe(j, 1 << 20);
    EXPECT_EQ(info.width, 50);
    EXPECT_EQ(info.height, 34);
    Image im = decode(j);
    ASSERT_EQ(im.width, 50);
    ASSERT_EQ(im.height, 34);
    EXPECT_LE(max_abs_diff(im, src), 12);
  }
}

TEST(Jpeg, GrayscaleIsReplicated) {
  const int w = 33, h = 17;
  std::vector<uint8_t> gray(size_t(w) * h);
  for (int i = 0; i < w * h; ++i) gray[size_t(i)] = uint8_t(30 + (i * 7) % 190);
  Bytes j = encode_jpeg_gray(gray, w, h, 100);
  Image im = decode(j);
  ASSERT_EQ(im.width, w);
  ASSERT_EQ(im.height, h);
  int worst = 0;
  for (int i = 0; i < w * h; ++i) {
    const uint8_t* p = &im.rgb[size_t(i) * 3];
    EXPECT_EQ(p[0], p[1]);
    EXPECT_EQ(p[0], p[2]);
    worst = std::max(worst, std::abs(p[0] - gray[size_t(i)]));
  }
  EXPECT_LE(worst, 3);
}

TEST(Jpeg, CmykIsReadAsAdobeInverted) {
  // TurboJPEG stores the given CMYK bytes as YCCK with an Adobe APP14 marker. As PIL and ImageMagick do,
  // the decoder treats them as inverted (255 = no ink): (r, g, b, 255) must come back as RGB (r, g, b),
  // and (255, 255, 255, k) as grey k.
  const int w = 32, h = 16;
  std::vector<uint8_t> cmyk(size_t(w) * h * 4);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &cmyk[(size_t(y) * w + x) * 4];
      if (x < 16) p[0] = 200, p[1] = 60, p[2] = 20, p[3] = 255;  // left: RGB (200, 60, 20), no black ink
      else p[0] = 255, p[1] = 255, p[2] = 255, p[3] = 100;      // right: grey 100 from black ink only
    }
  Bytes j = encode_jpeg_cmyk(cmyk, w, h, 100);
  JpegMarkers m = scan_jpeg_markers(j);
  EXPECT_TRUE(m.adobe);
  EXPECT_EQ(m.adobe_transform, 2);  // YCCK
  EXPECT_EQ(m.sof_components, 4);
  Image im = decode(j);
  ASSERT_EQ(im.width, w);
  const uint8_t* left = px(im, 4, 8);
  const uint8_t* right = px(im, 27, 8);
  EXPECT_NEAR(left[0], 200, 3);
  EXPECT_NEAR(left[1], 60, 3);
  EXPECT_NEAR(left[2], 20, 3);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(right[c], 100, 3);
}

TEST(Jpeg, DctScalingPicksSmallestCoveringFactor) {
  Bytes j = encode_jpeg(smooth_image(800, 600), 90, TJSAMP_420);
  auto size_for = [&](int mw, int mh) {
    DecodeOptions o;
    o.min_width = mw, o.min_height = mh;
    Image im = decode(j, o);
    EXPECT_EQ(im.rgb.size(), size_t(im.width) * im.height * 3);
    return std::pair{im.width, im.height};
  };
  EXPECT_EQ(size_for(0, 0), std::pair(800, 600));
  EXPECT_EQ(size_for(341, 256), std::pair(400, 300));    // 3/8 gives 300x225: too short
  EXPECT_EQ(size_for(300, 225), std::pair(300, 225));    // exactly 3/8
  EXPECT_EQ(size_for(100, 0), std::pair(100, 75));       // 1/8
  EXPECT_EQ(size_for(0, 76), std::pair(200, 150));       // 2/8
  EXPECT_EQ(size_for(801, 10), std::pair(800, 600));     // never upscales
  EXPECT_EQ(size_for(5000, 5000), std::pair(800, 600));
  // Odd sizes round up like libjpeg: ceil(101 * 1/8) = 13.
  Bytes odd = encode_jpeg(smooth_image(101, 77), 90, TJSAMP_420);
  DecodeOptions o;
  o.min_width = 1;
  Image im = decode(odd, o);
  EXPECT_EQ(im.width, 13);
  EXPECT_EQ(im.height, 10);
}

TEST(Jpeg, EveryTruncationIsCorrupt) {
  // Warnings are errors: no prefix of a JPEG decodes, down to a missing EOI marker.
  for (bool progressive : {false, true}) {
    Bytes j = encode_jpeg(smooth_image(40, 24), 85, TJSAMP_420, progressive);
    for (size_t n = 1; n < j.size(); ++n) {
      Bytes cut(j.begin(), j.begin() + long(n));
      auto e = decode_error([&] { decode(cut); });
      ASSERT_TRUE(e) << "prefix of " << n << " / " << j.size() << " bytes decoded";
      EXPECT_TRUE(e->kind() == ErrorKind::corrupt || e->kind() == ErrorKind::unsupported_format) << n;
      if (n >= 3) {
        EXPECT_EQ(e->kind(), ErrorKind::corrupt);
        EXPECT_EQ(std::string(e->what()).rfind("corrupt or truncated JPEG: ", 0), 0u) << e->what();
      }
    }
  }
}

TEST(Jpeg, TruncationMessageIsLibjpegs) {
  Bytes j = encode_jpeg(smooth_image(40, 24), 85, TJSAMP_420);
  j.resize(j.size() - 20);  // inside the entropy-coded data
  auto e = decode_error([&] { decode(j); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "corrupt or truncated JPEG: Premature end of JPEG file");
}

}  // namespace mlfaas::image::test
