// Writes the image fuzzer's seed corpus (small images of every format and layout the decoders
// handle) with the test suite's encoders. Run once, results committed in fuzz/corpus/image:
//   g++ -std=c++20 -Isrc -Itests/unit/image fuzz/make_image_seeds.cpp build/tests/unit/image/libmlfaas_test_images.a \
//       build/src/image/libmlfaas_image.a build/src/common/libmlfaas_common.a -lturbojpeg -ljpeg -lpng -lwebp -lgif -lfmt \
//       -o /tmp/seeds && /tmp/seeds fuzz/corpus/image
#include <png.h>
#include <turbojpeg.h>

#include <fstream>
#include <string>

#include "test_images.h"

using namespace mlfaas::image;
using namespace mlfaas::image::test;

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : ".";
  auto put = [&](const std::string& name, const Bytes& b) {
    std::ofstream(dir + "/" + name, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  };
  Image im = smooth_image(9, 7);
  put("baseline.jpg", encode_jpeg(im, 80, TJSAMP_420));
  put("progressive.jpg", encode_jpeg(im, 80, TJSAMP_444, true));
  std::vector<uint8_t> gray(9 * 7, 128), cmyk(9 * 7 * 4, 60), rgba(9 * 7 * 4, 200);
  put("gray.jpg", encode_jpeg_gray(gray, 9, 7, 80));
  put("cmyk.jpg", encode_jpeg_cmyk(cmyk, 9, 7, 80));
  put("exif6.jpg", with_exif(encode_jpeg(im, 80, TJSAMP_420), exif_tiff(6, true)));
  put("rgb.png", encode_png_rgb(im));
  PngSpec pal;
  pal.width = 4, pal.height = 2, pal.color_type = PNG_COLOR_TYPE_PALETTE, pal.bit_depth = 2;
  pal.data = {0x1B, 0xE4};
  pal.palette = {255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9};
  pal.trns = {0, 128};
  put("palette.png", encode_png(pal));
  PngSpec g16;
  g16.width = 2, g16.height = 2, g16.color_type = PNG_COLOR_TYPE_GRAY, g16.bit_depth = 16, g16.interlace = true;
  g16.data = {0, 1, 255, 255, 128, 0, 7, 7};
  put("gray16-interlaced.png", encode_png(g16));
  put("lossy.webp", encode_webp(rgba, 9, 7, false));
  put("lossless.webp", encode_webp(rgba, 9, 7, true));
  BmpSpec b;
  b.width = 3, b.height = 2;
  put("rgb24.bmp", make_bmp(b, {Bytes(9, 50), Bytes(9, 90)}));
  GifSpec g;
  g.screen_w = g.width = 3, g.screen_h = g.height = 2, g.interlace = true, g.transparent = 1;
  g.palette = {0, 0, 0, 255, 255, 255};
  g.indices = {0, 1, 0, 1, 0, 1};
  put("interlaced.gif", encode_gif(g));
  return 0;
}
