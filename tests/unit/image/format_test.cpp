// Format sniffing and the errors every caller sees before any decoder runs.
#include <gtest/gtest.h>
#include <turbojpeg.h>

#include "image/decode.h"
#include "test_images.h"

namespace mlfaas::image::test {

// From a string literal, embedded NULs included (the terminating one excluded).
template <size_t N> static Bytes of(const char (&s)[N]) { return Bytes(s, s + N - 1); }

TEST(Format, SniffsMagicBytes) {
  EXPECT_EQ(sniff_format(of("\xFF\xD8\xFF\xE0")), Format::jpeg);
  EXPECT_EQ(sniff_format(of("\x89PNG\r\n\x1A\n....")), Format::png);
  EXPECT_EQ(sniff_format(of("RIFF\x10\0\0\0WEBPVP8 ")), Format::webp);
  EXPECT_EQ(sniff_format(of("RIFF\x10\0\0\0WAVEfmt ")), Format::unknown);
  EXPECT_EQ(sniff_format(of("BM\0\0")), Format::bmp);
  EXPECT_EQ(sniff_format(of("GIF87a")), Format::gif);
  EXPECT_EQ(sniff_format(of("GIF89a")), Format::gif);
  EXPECT_EQ(sniff_format(of("GIF8")), Format::unknown);
  EXPECT_EQ(sniff_format(of("\xFF\xD8")), Format::unknown);
  EXPECT_EQ(sniff_format({}), Format::unknown);
}

TEST(Format, Names) {
  EXPECT_EQ(format_name(Format::jpeg), "jpeg");
  EXPECT_EQ(format_name(Format::png), "png");
  EXPECT_EQ(format_name(Format::webp), "webp");
  EXPECT_EQ(format_name(Format::bmp), "bmp");
  EXPECT_EQ(format_name(Format::gif), "gif");
  EXPECT_EQ(format_name(Format::unknown), "unknown");
}

TEST(Errors, EmptyInput) {
  auto e = decode_error([] { decode({}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::empty);
  EXPECT_STREQ(e->what(), "image is empty");
  EXPECT_EQ(decode_error([] { probe({}, 100); })->kind(), ErrorKind::empty);
}

TEST(Errors, UnknownFormatNamesFirstBytes) {
  Bytes b = of("GIF8 is not a gif");
  auto e = decode_error([&] { decode(b); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::unsupported_format);
  EXPECT_STREQ(e->what(), "unsupported image format (first bytes 47 49 46 38): supported are JPEG, PNG, WebP, BMP, GIF");
  Bytes two = {0x00, 0xab};
  EXPECT_STREQ(decode_error([&] { decode(two); })->what(),
               "unsupported image format (first bytes 00 ab): supported are JPEG, PNG, WebP, BMP, GIF");
}

TEST(Errors, TooManyPixelsFromEveryFormat) {
  Image im = smooth_image(40, 30);  // 1200 pixels
  std::vector<uint8_t> rgba(40 * 30 * 4, 255);
  BmpSpec bs;
  bs.width = 40, bs.height = 30;
  GifSpec gs;
  gs.screen_w = gs.width = 40, gs.screen_h = gs.height = 30, gs.palette = {0, 0, 0, 255, 255, 255};
  gs.indices.assign(1200, 1);
  const Bytes files[] = {encode_jpeg(im, 90, TJSAMP_420), encode_png_rgb(im), encode_webp(rgba, 40, 30, true),
                         make_bmp(bs, std::vector<Bytes>(30, Bytes(120, 7))), encode_gif(gs)};
  for (const Bytes& f : files) {
    SCOPED_TRACE(std::string(format_name(sniff_format(f))));
    EXPECT_NO_THROW(probe(f, 1200));
    auto e = decode_error([&] { probe(f, 1199); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), ErrorKind::too_many_pixels);
    EXPECT_STREQ(e->what(), "image is 40x30 = 1200 pixels, limit is 1199");
    DecodeOptions opt;
    opt.max_pixels = 1199;
    EXPECT_EQ(decode_error([&] { decode(f, opt); })->kind(), ErrorKind::too_many_pixels);
    opt.max_pixels = 1200;
    Image out = decode(f, opt);
    EXPECT_EQ(out.width, 40);
    EXPECT_EQ(out.height, 30);
    EXPECT_EQ(out.rgb.size(), 40u * 30 * 3);
  }
}

TEST(Errors, HugePngHeaderFailsFastWithoutDecoding) {
  // A valid signature and IHDR claiming 100000x100000, then nothing: probe must answer from the header.
  Bytes b = of("\x89PNG\r\n\x1A\n");
  Bytes ihdr = {0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 8, 2, 0, 0, 0, 0, 0, 0, 0};
  b.insert(b.end(), ihdr.begin(), ihdr.end());
  auto e = decode_error([&] { probe(b, 50'000'000); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::too_many_pixels);
  EXPECT_STREQ(e->what(), "image is 100000x100000 = 10000000000 pixels, limit is 50000000");
  EXPECT_EQ(decode_error([&] { decode(b); })->kind(), ErrorKind::too_many_pixels);
}

TEST(Errors, HugeJpegHeader) {
  Bytes j = encode_jpeg(smooth_image(16, 16), 90, TJSAMP_420);
  // Patch the SOF0 dimensions to 65000x65000.
  for (size_t i = 2; i + 9 < j.size(); ++i)
    if (j[i] == 0xFF && j[i + 1] == 0xC0) {
      j[i + 5] = 0xFD, j[i + 6] = 0xE8, j[i + 7] = 0xFD, j[i + 8] = 0xE8;
      break;
    }
  auto e = decode_error([&] { decode(j); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind(), ErrorKind::too_many_pixels) << e->what();
  EXPECT_NE(std::string(e->what()).find("65000x65000"), std::string::npos);
}

TEST(Errors, HugeGifAndBmpHeaders) {
  Bytes gif = of("GIF89a\xFF\xFF\xFF\xFF\x00\x00\x00");
  EXPECT_EQ(decode_error([&] { decode(gif); })->kind(), ErrorKind::too_many_pixels);
  BmpSpec one;
  one.width = 1, one.height = 1;
  Bytes bmp = make_bmp(one, {Bytes(3)});
  bmp[18] = 0, bmp[19] = 0, bmp[20] = 0, bmp[21] = 0x40;  // width 2^30
  EXPECT_EQ(decode_error([&] { decode(bmp); })->kind(), ErrorKind::too_many_pixels);
}

}  // namespace mlfaas::image::test
