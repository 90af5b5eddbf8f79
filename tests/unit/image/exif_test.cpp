// EXIF orientation: the parser on its own, and all eight orientations applied to a decoded JPEG.
#include <gtest/gtest.h>
#include <turbojpeg.h>

#include "image/decode.h"
#include "image/exif.h"
#include "image/jpeg_markers.h"
#include "test_images.h"

namespace mlfaas::image::test {

namespace {

enum Corner { TL, TR, BL, BR };
constexpr uint8_t kCorner[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}};

// 3x2 with a distinct colour in every corner (and grey/cyan in the middle column).
Image corners_image() {
  Image im{3, 2, std::vector<uint8_t>(18)};
  auto set = [&](int x, int y, const uint8_t* c) { std::copy(c, c + 3, &im.rgb[size_t(y * 3 + x) * 3]); };
  const uint8_t grey[3] = {128, 128, 128}, cyan[3] = {0, 255, 255};
  set(0, 0, kCorner[TL]), set(1, 0, grey), set(2, 0, kCorner[TR]);
  set(0, 1, kCorner[BL]), set(1, 1, cyan), set(2, 1, kCorner[BR]);
  return im;
}

// Which source corner shows in each output corner (TL, TR, BL, BR) for orientations 1..8,
// written from the EXIF definitions ("row 0 is the visual right side, column 0 the visual top", ...).
constexpr Corner kExpected[9][4] = {
    {},
    {TL, TR, BL, BR},  // 1 upright
    {TR, TL, BR, BL},  // 2 mirrored horizontally
    {BR, BL, TR, TL},  // 3 rotated 180
    {BL, BR, TL, TR},  // 4 mirrored vertically
    {TL, BL, TR, BR},  // 5 transposed
    {BL, TL, BR, TR},  // 6 needs 90 degrees clockwise
    {BR, TR, BL, TL},  // 7 transversed
    {TR, BR, TL, BL},  // 8 needs 90 degrees counter-clockwise
};

Corner nearest(const uint8_t* p) {
  int best = 0, best_d = 1 << 30;
  for (int c = 0; c < 4; ++c) {
    int d = 0;
    for (int k = 0; k < 3; ++k) d += (p[k] - kCorner[c][k]) * (p[k] - kCorner[c][k]);
    if (d < best_d) best = c, best_d = d;
  }
  EXPECT_LT(best_d, 3 * 40 * 40) << "corner colour too far from any reference";
  return Corner(best);
}

}  // namespace

TEST(Exif, ParsesBothByteOrders) {
  for (bool be : {false, true})
    for (int o = 1; o <= 8; ++o) EXPECT_EQ(exif_orientation(exif_tiff(o, be)), o) << be;
}

TEST(Exif, MalformedIsIgnored) {
  Bytes good = exif_tiff(6, false);
  EXPECT_EQ(exif_orientation(good), 6);
  auto with = [&](size_t at, std::initializer_list<uint8_t> v) {
    Bytes t = good;
    std::copy(v.begin(), v.end(), t.begin() + long(at));
    return exif_orientation(t);
  };
  EXPECT_EQ(with(4, {0xF0, 0xFF, 0xFF, 0xFF}), 1);  // IFD0 offset far outside
  EXPECT_EQ(with(4, {0xFE, 0xFF, 0xFF, 0xFF}), 1);  // offset + 2 wraps a 32-bit size
  EXPECT_EQ(with(8, {0xFF, 0xFF}), 6);              // 65535 entries claimed: the 2 present are read, no more
  EXPECT_EQ(with(0, {'I', 'M'}), 1);                // bad byte order mark
  EXPECT_EQ(with(2, {43, 0}), 1);                   // bad magic
  EXPECT_EQ(with(22 + 8, {9, 0}), 1);               // orientation 9 is out of range
  EXPECT_EQ(with(22 + 8, {0, 0}), 1);
  EXPECT_EQ(with(22 + 2, {7, 0}), 1);               // orientation with an unexpected type (UNDEFINED)
  for (size_t n = 0; n < good.size(); ++n)          // every truncation
    EXPECT_EQ(exif_orientation({good.data(), n}), n >= 34 ? 6 : 1) << n;
  EXPECT_EQ(exif_orientation({}), 1);
}

TEST(Exif, AllOrientationsLandCornersCorrectly) {
  Bytes plain = encode_jpeg(corners_image(), 100, TJSAMP_444);
  for (bool be : {false, true}) {
    for (int o = 1; o <= 8; ++o) {
      SCOPED_TRACE(::testing::Message() << "orientation " << o << (be ? " MM" : " II"));
      Bytes j = with_exif(plain, exif_tiff(o, be));
      ImageInfo info = probe(j, 100);
      EXPECT_EQ(info.orientation, o);
      EXPECT_EQ(info.width, 3);
      EXPECT_EQ(info.display_width(), o >= 5 ? 2 : 3);
      Image im = decode(j);
      ASSERT_EQ(im.width, o >= 5 ? 2 : 3);
      ASSERT_EQ(im.height, o >= 5 ? 3 : 2);
      const int R = im.width - 1, B = im.height - 1;
      EXPECT_EQ(nearest(px(im, 0, 0)), kExpected[o][TL]);
      EXPECT_EQ(nearest(px(im, R, 0)), kExpected[o][TR]);
      EXPECT_EQ(nearest(px(im, 0, B)), kExpected[o][BL]);
      EXPECT_EQ(nearest(px(im, R, B)), kExpected[o][BR]);

      DecodeOptions raw;
      raw.apply_exif_orientation = false;
      Image stored = decode(j, raw);
      EXPECT_EQ(stored.width, 3);
      EXPECT_EQ(nearest(px(stored, 0, 0)), TL);
    }
  }
}

TEST(Exif, MalformedSegmentStillDecodes) {
  Bytes plain = encode_jpeg(corners_image(), 100, TJSAMP_444);
  Bytes bad_offset = exif_tiff(6, true);
  bad_offset[4] = 0x7F;  // IFD0 offset 0x7F000008
  Bytes tiny = {'M', 'M', 0};
  for (const Bytes& t : {bad_offset, tiny, Bytes{}}) {
    Image im = decode(with_exif(plain, t));
    EXPECT_EQ(im.width, 3);
    EXPECT_EQ(nearest(px(im, 0, 0)), TL);
  }
  // Only the first Exif APP1 counts.
  Image im = decode(with_exif(with_exif(plain, exif_tiff(3, false)), exif_tiff(6, false)));
  EXPECT_EQ(im.width, 2);  // 6 came first in the file
}

TEST(Exif, MarkerScanStopsAtBadLengths) {
  Bytes j = with_exif(encode_jpeg(corners_image(), 100, TJSAMP_444), exif_tiff(8, false));
  EXPECT_EQ(scan_jpeg_markers(j).orientation, 8);
  Bytes huge = j;
  huge[4] = 0xFF, huge[5] = 0xFF;  // APP1 length past the end of the file
  EXPECT_EQ(scan_jpeg_markers(huge).orientation, 1);
  Bytes zero = j;
  zero[4] = 0, zero[5] = 1;  // length < 2
  EXPECT_EQ(scan_jpeg_markers(zero).orientation, 1);
  for (size_t n = 0; n < j.size(); ++n) scan_jpeg_markers({j.data(), n});  // must not read past n
}

TEST(Exif, DctScalingMinimumRefersToTheUprightImage) {
  // Stored 800x400; orientation 6 shows it 400x800. Asking for >= 150 wide x 300 tall upright means
  // >= 300 x 150 stored: 3/8 (300x150) is enough; without the swap 2/8 (200x100 -> 100x200) would not be.
  Bytes j = with_exif(encode_jpeg(smooth_image(800, 400), 90, TJSAMP_420), exif_tiff(6, false));
  DecodeOptions o;
  o.min_width = 150, o.min_height = 300;
  Image im = decode(j, o);
  EXPECT_EQ(im.width, 150);
  EXPECT_EQ(im.height, 300);
  o.apply_exif_orientation = false;  // then the minimum is about the stored image
  im = decode(j, o);
  EXPECT_EQ(im.width, 600);
  EXPECT_EQ(im.height, 300);
}

}  // namespace mlfaas::image::test
