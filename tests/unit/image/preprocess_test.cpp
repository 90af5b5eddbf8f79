// Preprocessing against a slow, literal double-precision transcription of the model README.
#include <gtest/gtest.h>
#include <gmock/gmock.h>
#include <turbojpeg.h>

#include <cmath>

#include "image/pipeline.h"
#include "image/preprocess.h"
#include "test_images.h"

namespace mlfaas::image::test {

namespace {

using Spec = PreprocessSpec;
using ::testing::FloatEq;
using ::testing::Pointwise;

// The README, line by line: resize geometry, half-pixel bilinear sample, normalisation, layout.
std::vector<double> reference(const Image& im, const Spec& s) {
  const int H = im.height, W = im.width, OH = s.out_height, OW = s.out_width;
  int newH = OH, newW = OW, offY = 0, offX = 0;
  if (s.resize == Spec::Resize::shorter_side_center_crop) {
    const int S = s.resize_size;
    if (H <= W) newH = S, newW = int(std::floor(double(W) * S / H + 0.5));
    else newW = S, newH = int(std::floor(double(H) * S / W + 0.5));
    offY = int(std::floor((newH - OH) / 2.0));
    offX = int(std::floor((newW - OW) / 2.0));
  }
  std::vector<double> out(size_t(3) * OH * OW);
  for (int c = 0; c < 3; ++c) {
    const int sc = s.bgr ? 2 - c : c;
    auto I = [&](int y, int x) { return double(im.rgb[(size_t(y) * W + x) * 3 + sc]); };
    for (int y = 0; y < OH; ++y)
      for (int x = 0; x < OW; ++x) {
        double sy = std::clamp((y + offY + 0.5) * H / newH - 0.5, 0.0, H - 1.0);
        double sx = std::clamp((x + offX + 0.5) * W / newW - 0.5, 0.0, W - 1.0);
        int y0 = int(std::floor(sy)), x0 = int(std::floor(sx));
        int y1 = std::min(y0 + 1, H - 1), x1 = std::min(x0 + 1, W - 1);
        double fy = sy - y0, fx = sx - x0;
        auto lerp = [](double a, double b, double t) { return a + (b - a) * t; };
        double v = lerp(lerp(I(y0, x0), I(y0, x1), fx), lerp(I(y1, x0), I(y1, x1), fx), fy);
        double val = (v * s.scale - s.mean[c]) / s.std[c];
        out[s.nchw ? (size_t(c) * OH + y) * OW + x : (size_t(y) * OW + x) * 3 + c] = val;
      }
  }
  return out;
}

double max_error(const std::vector<float>& got, const std::vector<double>& want) {
  double m = 0;
  for (size_t i = 0; i < want.size(); ++i) m = std::max(m, std::abs(double(got[i]) - want[i]));
  return m;
}

std::vector<float> run(const Image& im, const Spec& s) {
  std::vector<float> out(size_t(3) * s.out_height * s.out_width, NAN);
  preprocess(im, s, out.data());
  return out;
}

}  // namespace

TEST(Geometry, MatchesTheGoldenPhotos) {
  Spec s;
  auto g = geometry(576, 768, s);  // dog.jpg
  EXPECT_EQ(g.resized_h, 256);
  EXPECT_EQ(g.resized_w, 341);
  EXPECT_EQ(g.crop_y, 16);
  EXPECT_EQ(g.crop_x, 58);
  g = geometry(448, 352, s);  // scream.jpg, portrait
  EXPECT_EQ(g.resized_h, 326);
  EXPECT_EQ(g.resized_w, 256);
  EXPECT_EQ(g.crop_y, 51);
  EXPECT_EQ(g.crop_x, 16);
  g = geometry(500, 500, s);
  EXPECT_EQ(g.resized_h, 256);
  EXPECT_EQ(g.resized_w, 256);
  EXPECT_EQ(g.crop_y, 16);
  g = geometry(2, 3, s);  // 3 * 256 / 2 = 384 exactly
  EXPECT_EQ(g.resized_w, 384);
}

TEST(Geometry, RoundingSquashAndNegativeCrop) {
  Spec s;
  EXPECT_EQ(geometry(512, 1, s).resized_h, 131072);
  EXPECT_EQ(geometry(3, 5, s).resized_w, 427);     // 426.67 -> 427
  EXPECT_EQ(geometry(512, 257, s).resized_h, 510); // 509.99 -> 510
  EXPECT_EQ(geometry(2, 1, s).resized_h, 512);
  s.resize_size = 100;  // smaller than the crop: offsets go negative (floor division)
  auto g = geometry(300, 400, s);
  EXPECT_EQ(g.resized_w, 133);
  EXPECT_EQ(g.crop_y, -62);
  EXPECT_EQ(g.crop_x, -46);
  s.resize = Spec::Resize::squash, s.out_height = 60, s.out_width = 100;
  g = geometry(300, 400, s);
  EXPECT_EQ(g.resized_h, 60);
  EXPECT_EQ(g.resized_w, 100);
  EXPECT_EQ(g.crop_y, 0);
  EXPECT_EQ(g.crop_x, 0);
  EXPECT_THROW(geometry(0, 5, Spec{}), std::invalid_argument);
  // An absurd aspect ratio clamps instead of overflowing.
  EXPECT_EQ(geometry(1, 2'000'000'000, Spec{}).resized_w, 2147483647);
}

TEST(Preprocess, MatchesReferenceOnOddSizes) {
  Spec imagenet;
  imagenet.scale = 1.0f / 255, imagenet.mean[0] = 0.485f, imagenet.mean[1] = 0.456f, imagenet.mean[2] = 0.406f;
  imagenet.std[0] = 0.229f, imagenet.std[1] = 0.224f, imagenet.std[2] = 0.225f;
  Spec bgr_nhwc = imagenet;
  bgr_nhwc.bgr = true, bgr_nhwc.nchw = false;
  Spec squash;
  squash.resize = Spec::Resize::squash;
  Spec squash_rect = bgr_nhwc;
  squash_rect.resize = Spec::Resize::squash, squash_rect.out_height = 60, squash_rect.out_width = 100;
  Spec other;
  other.resize_size = 300, other.out_height = 180, other.out_width = 200;
  Spec small;
  small.resize_size = 100;  // crop larger than the resized image: edge samples clamp
  const std::pair<const char*, Spec> specs[] = {{"default", Spec{}}, {"imagenet", imagenet},
                                                {"bgr_nhwc", bgr_nhwc}, {"squash", squash},
                                                {"squash_rect", squash_rect}, {"other", other}, {"small", small}};
  const std::pair<int, int> sizes[] = {{1, 1}, {1, 500}, {500, 1}, {300, 7}, {7, 300}, {224, 224}, {256, 256},
                                       {257, 255}, {999, 1000}, {33, 1000}, {2, 3}};
  uint32_t seed = 100;
  for (auto [w, h] : sizes) {
    Image im = random_image(w, h, seed++);
    for (const auto& [name, s] : specs) {
      double err = max_error(run(im, s), reference(im, s));
      // float32 samples/weights vs double: |error| <= ~255 * 2^-22 before normalisation.
      EXPECT_LT(err, 1e-5) << name << " on " << w << "x" << h;
    }
  }
}

TEST(Preprocess, LayoutAndChannelOrder) {
  // A constant image with distinct channels: every output sample is known exactly.
  Image im{5, 3, {}};
  for (int i = 0; i < 15; ++i) im.rgb.insert(im.rgb.end(), {10, 127, 255});
  Spec s;
  s.out_height = 2, s.out_width = 2;
  s.resize = Spec::Resize::squash;
  std::vector<float> nchw = run(im, s);
  // x = (v * scale - mean) / std in float, with the defaults scale = 1/127.5, mean = std = 1.
  const float r = 10 * s.scale - 1, g = 127 * s.scale - 1, b = 255 * s.scale - 1;
  EXPECT_NEAR(g, 127 / 127.5 - 1, 1e-7);
  // Within 4 ulps, not bit-exact: the library and this test may contract v * scale - mean into
  // an FMA differently (they are compiled at different -O levels).
  EXPECT_THAT(nchw, Pointwise(FloatEq(), std::vector<float>{r, r, r, r, g, g, g, g, b, b, b, b}));
  s.bgr = true, s.nchw = false;
  EXPECT_THAT(run(im, s), Pointwise(FloatEq(), std::vector<float>{b, g, r, b, g, r, b, g, r, b, g, r}));
}

TEST(Preprocess, RejectsInconsistentInput) {
  std::vector<float> out(3 * 224 * 224);
  Image bad{4, 4, std::vector<uint8_t>(10)};
  EXPECT_THROW(preprocess(bad, Spec{}, out.data()), std::invalid_argument);
  EXPECT_THROW(preprocess(Image{}, Spec{}, out.data()), std::invalid_argument);
  Spec zero;
  zero.out_width = 0;
  EXPECT_THROW(preprocess(random_image(4, 4, 1), zero, out.data()), std::invalid_argument);
}

TEST(Pipeline, MinDecodeSizeCoversTheResizeTarget) {
  Spec s;
  MinDecodeSize m = min_decode_size(576, 768, s);
  EXPECT_EQ(m.width, 341);
  EXPECT_EQ(m.height, 256);
  s.resize = Spec::Resize::squash;
  m = min_decode_size(576, 768, s);
  EXPECT_EQ(m.width, 224);
  EXPECT_EQ(m.height, 224);
}

TEST(Pipeline, ToTensorIsDecodePlusPreprocess) {
  Bytes j = encode_jpeg(smooth_image(800, 600), 90, TJSAMP_420);
  Spec s;
  std::vector<float> full(3 * 224 * 224), scaled(3 * 224 * 224);
  preprocess(decode(j), s, full.data());
  DecodeOptions o;
  o.min_width = 341, o.min_height = 256;  // 800x600 -> 400x300 (4/8)
  Image half = decode(j, o);
  EXPECT_EQ(half.width, 400);
  preprocess(half, s, scaled.data());
  EXPECT_EQ(to_tensor(j, s, false), full);
  EXPECT_EQ(to_tensor(j, s, true), scaled);
  ImageInfo info = decode_and_preprocess(j, s, scaled.data(), true);
  EXPECT_EQ(info.format, Format::jpeg);
  EXPECT_EQ(info.width, 800);
  // Non-JPEG formats ignore DCT scaling.
  Bytes p = encode_png_rgb(smooth_image(300, 200));
  EXPECT_EQ(to_tensor(p, s, true), to_tensor(p, s, false));
}

}  // namespace mlfaas::image::test
