// The 13 golden photos of the shared MobileNetV2 model: decode + preprocess must reproduce golden.json's
// input_check. Also measures what JPEG DCT scaling changes in the tensor (for the default-on decision).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "image/pipeline.h"
#include "support/paths.h"
#include "test_images.h"

namespace mlfaas::image::test {

namespace fs = std::filesystem;
namespace json = boost::json;
using mlfaas::test::golden;
using mlfaas::test::photos_dir;
using mlfaas::test::read_binary;

namespace {

// Observed on Debian 12 (libjpeg-turbo 2.1.5, libpng 1.6.39): |mean error| <= 5.0e-7 and
// |sample error| <= 5.0e-7, i.e. only the 6-decimal rounding of golden.json. The bounds leave a 2x margin.
constexpr double kMeanTolerance = 1e-6;
constexpr double kSampleTolerance = 1e-6;

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

struct Photo {
  json::object entry;
  std::string bytes;
};

// The golden entry and the verified photo bytes, or a skip reason.
std::optional<Photo> load(const std::string& id, std::string* why) {
  auto g = golden();
  auto dir = photos_dir();
  if (!g || !dir) return *why = "golden.json or photos missing", std::nullopt;
  for (const auto& v : g->at("images").as_array()) {
    const json::object& e = v.as_object();
    if (e.at("id").as_string() != id) continue;
    fs::path file = *dir / fs::path(std::string(e.at("path").as_string())).filename();
    if (!fs::exists(file)) return *why = file.string() + " not found", std::nullopt;
    std::string bytes = read_binary(file);
    if (sha256_hex(bytes) != e.at("sha256").as_string())
      return *why = file.string() + " differs from the golden photo (sha256 mismatch)", std::nullopt;
    return Photo{e, std::move(bytes)};
  }
  return *why = "no golden entry " + id, std::nullopt;
}

double num(const json::value& v) { return v.is_double() ? v.as_double() : double(v.to_number<int64_t>()); }

const char* const kAll[] = {"dog",   "eagle",  "giraffe",   "horses", "kite",           "person",
                            "scream", "chelsea", "coffee", "astronaut", "rocket", "motorcycle_left",
                            "motorcycle_right"};
const char* const kJpegs[] = {"dog", "eagle", "giraffe", "horses", "kite", "person", "scream", "rocket"};

std::string name_of(const ::testing::TestParamInfo<const char*>& i) { return i.param; }

}  // namespace

class GoldenPhoto : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenPhoto, InputCheckMatches) {
  MLFAAS_REQUIRE_SHARED_MODEL();
  MLFAAS_REQUIRE_PHOTOS();
  std::string why;
  auto photo = load(GetParam(), &why);
  if (!photo) GTEST_SKIP() << why;
  const json::object& e = photo->entry;
  auto bytes = span_of(photo->bytes);

  Image im = decode(bytes);
  EXPECT_EQ(im.width, e.at("width").to_number<int>());
  EXPECT_EQ(im.height, e.at("height").to_number<int>());
  PreprocessSpec spec;  // the defaults are the model README's preprocessing
  ResizeGeometry g = geometry(im.height, im.width, spec);
  EXPECT_EQ(g.resized_h, e.at("resized_hw").as_array()[0].to_number<int>());
  EXPECT_EQ(g.resized_w, e.at("resized_hw").as_array()[1].to_number<int>());
  EXPECT_EQ(g.crop_y, e.at("crop_offset_yx").as_array()[0].to_number<int>());
  EXPECT_EQ(g.crop_x, e.at("crop_offset_yx").as_array()[1].to_number<int>());

  std::vector<float> t = to_tensor(bytes, spec);
  ASSERT_EQ(t.size(), 3u * 224 * 224);
  const json::object& check = e.at("input_check").as_object();
  double sum = 0, csum[3] = {};
  for (size_t i = 0; i < t.size(); ++i) sum += t[i], csum[i / (224 * 224)] += t[i];
  double worst_mean = std::abs(sum / double(t.size()) - num(check.at("mean")));
  EXPECT_NEAR(sum / double(t.size()), num(check.at("mean")), kMeanTolerance);
  for (int c = 0; c < 3; ++c) {
    double want = num(check.at("channel_mean").as_array()[size_t(c)]);
    EXPECT_NEAR(csum[c] / (224 * 224), want, kMeanTolerance) << "channel " << c;
    worst_mean = std::max(worst_mean, std::abs(csum[c] / (224 * 224) - want));
  }
  double worst_sample = 0;
  for (const auto& [key, value] : check.at("pixels_chw").as_object()) {
    int c = 0, y = 0, x = 0;
    ASSERT_EQ(std::sscanf(std::string(key).c_str(), "%d,%d,%d", &c, &y, &x), 3) << key;
    double got = t[(size_t(c) * 224 + y) * 224 + x];
    EXPECT_NEAR(got, num(value), kSampleTolerance) << "sample " << key;
    worst_sample = std::max(worst_sample, std::abs(got - num(value)));
  }
  std::printf("[ golden   ] %-17s max |mean error| %.2e, max |sample error| %.2e\n", GetParam(), worst_mean,
              worst_sample);
}

INSTANTIATE_TEST_SUITE_P(Photos, GoldenPhoto, ::testing::ValuesIn(kAll), name_of);

// DCT scaling changes the decoded pixels (libjpeg's scaled IDCT already averages), so the tensor moves;
// how much is what the lead needs to decide on default-on (the model's probabilities come from
// to_tensor(bytes, spec, false) vs to_tensor(bytes, spec, true)).
class DctScaling : public ::testing::TestWithParam<const char*> {};

TEST_P(DctScaling, TensorDifferenceIsSmall) {
  MLFAAS_REQUIRE_SHARED_MODEL();
  MLFAAS_REQUIRE_PHOTOS();
  std::string why;
  auto photo = load(GetParam(), &why);
  if (!photo) GTEST_SKIP() << why;
  auto bytes = span_of(photo->bytes);
  PreprocessSpec spec;

  ImageInfo info = probe(bytes, 50'000'000);
  MinDecodeSize m = min_decode_size(info.display_height(), info.display_width(), spec);
  DecodeOptions scaled_opt;
  scaled_opt.min_width = m.width, scaled_opt.min_height = m.height;
  Image scaled = decode(bytes, scaled_opt);
  // The scaled image still covers the resize target: preprocessing only ever downsamples it.
  EXPECT_GE(scaled.width, m.width);
  EXPECT_GE(scaled.height, m.height);

  std::vector<float> full = to_tensor(bytes, spec, false), dct = to_tensor(bytes, spec, true);
  double max_d = 0, sum_d = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    double d = std::abs(double(full[i]) - dct[i]);
    max_d = std::max(max_d, d), sum_d += d;
  }
  const double mean_d = sum_d / double(full.size());

  // Decode timings (informational; meaningless under sanitizers).
  auto time_ms = [&](const DecodeOptions& o) {
    const int runs = 5;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < runs; ++i) decode(bytes, o);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / runs;
  };
  double t_full = time_ms({}), t_scaled = time_ms(scaled_opt);
  std::printf("[ dct      ] %-8s %4dx%-4d -> %4dx%-4d max|d| %.4f mean|d| %.5f (x127.5: %.2f / %.3f levels)  "
              "decode %.2f ms -> %.2f ms\n",
              GetParam(), info.width, info.height, scaled.width, scaled.height, max_d, mean_d, max_d * 127.5,
              mean_d * 127.5, t_full, t_scaled);
  RecordProperty("max_abs_delta", std::to_string(max_d));
  RecordProperty("mean_abs_delta", std::to_string(mean_d));

  if (scaled.width == info.display_width()) {
    EXPECT_EQ(full, dct);  // nothing to scale: identical
  } else {
    EXPECT_GT(max_d, 0.0);
    // Sanity bound only: a wrong picture (flipped, colours swapped) is > 0.3. The real differences come
    // from aliasing: the non-antialiased bilinear resize picks sparse pixels of a full-size decode but
    // near-neighbours of a scaled one, which shows on fine stripes (giraffe: about 0.11).
    EXPECT_LT(mean_d, 0.15);
  }
}

TEST(DctScaling, HalfScaleDecodeIsABoxFilter) {
  // Independent check of the scaled decode itself: at 4/8, libjpeg's scaled IDCT should agree with a
  // 2x2 average of the full-size decode up to a grey level or two (they differ only in how the DCT
  // basis is truncated and in chroma upsampling).
  MLFAAS_REQUIRE_SHARED_MODEL();
  MLFAAS_REQUIRE_PHOTOS();
  std::string why;
  auto photo = load("dog", &why);
  if (!photo) GTEST_SKIP() << why;
  auto bytes = span_of(photo->bytes);
  Image full = decode(bytes);
  DecodeOptions o;
  o.min_width = full.width / 2, o.min_height = full.height / 2;
  Image half = decode(bytes, o);
  ASSERT_EQ(half.width * 2, full.width);
  ASSERT_EQ(half.height * 2, full.height);
  double sum = 0;
  for (int y = 0; y < half.height; ++y)
    for (int x = 0; x < half.width; ++x)
      for (int c = 0; c < 3; ++c) {
        int box = px(full, 2 * x, 2 * y)[c] + px(full, 2 * x + 1, 2 * y)[c] + px(full, 2 * x, 2 * y + 1)[c] +
                  px(full, 2 * x + 1, 2 * y + 1)[c];
        sum += std::abs(box / 4.0 - px(half, x, y)[c]);
      }
  const double mean = sum / (half.width * half.height * 3.0);
  std::printf("[ dct      ] dog at 4/8 vs 2x2 box of the full decode: mean |d| %.3f levels\n", mean);
  EXPECT_LT(mean, 2.0);
}

INSTANTIATE_TEST_SUITE_P(Photos, DctScaling, ::testing::ValuesIn(kJpegs), name_of);

}  // namespace mlfaas::image::test
