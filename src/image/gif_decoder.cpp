// GIF: the first frame through giflib, drawn on the logical screen. Pixels the frame leaves
// uncovered, and transparent ones, are white (what a browser shows on a white page). A frame
// reaching past the screen is clipped to it, as browsers do.
// We read record by record instead of DGifSlurp, which would decode every frame of an animation.
#include <gif_lib.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "image/bytes.h"
#include "image/codecs.h"

namespace mlfaas::image::detail {

namespace {

struct Source {
  std::span<const uint8_t> in;
  size_t pos = 0;
};

int read_bytes(GifFileType* gif, GifByteType* out, int n) {
  auto* s = static_cast<Source*>(gif->UserData);
  size_t k = std::min(size_t(std::max(n, 0)), s->in.size() - s->pos);
  std::memcpy(out, s->in.data() + s->pos, k);
  s->pos += k;
  return int(k);
}

struct Closer {
  void operator()(GifFileType* g) const {
    int err = 0;
    DGifCloseFile(g, &err);
  }
};

[[noreturn]] void fail(int code) {
  const char* s = GifErrorString(code);
  throw_corrupt(Format::gif, s ? std::string(s) : fmt::format("giflib error {}", code));
}

Image draw_first_frame(GifFileType* g, int W, int H, int transparent, uint64_t max_pixels) {
  const GifImageDesc& d = g->Image;
  check_dimensions(Format::gif, d.Width, d.Height, max_pixels);
  uint8_t palette[256][3];
  const ColorMapObject* cm = d.ColorMap ? d.ColorMap : g->SColorMap;
  for (int i = 0; i < 256; ++i) {
    if (!cm) {
      palette[i][0] = palette[i][1] = palette[i][2] = uint8_t(i);  // no colour table at all: grey ramp, like PIL
    } else if (i < cm->ColorCount) {
      palette[i][0] = cm->Colors[i].Red, palette[i][1] = cm->Colors[i].Green, palette[i][2] = cm->Colors[i].Blue;
    } else {
      palette[i][0] = palette[i][1] = palette[i][2] = 0;  // index past the table
    }
  }

  Image img;
  img.width = W;
  img.height = H;
  img.rgb.assign(size_t(W) * size_t(H) * 3, 255);
  std::vector<GifPixelType> line(size_t(d.Width));
  // Interlaced frames arrive in four passes: rows 0,8,16.. then 4,12.. then 2,6.. then 1,3..
  static constexpr int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
  const int passes = d.Interlace ? 4 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    for (int r = d.Interlace ? start[pass] : 0; r < d.Height; r += d.Interlace ? step[pass] : 1) {
      if (DGifGetLine(g, line.data(), d.Width) == GIF_ERROR) fail(g->Error);
      const int y = d.Top + r;
      const int visible = std::min(d.Width, W - d.Left);
      if (y >= H || visible <= 0) continue;
      uint8_t* out = &img.rgb[(size_t(y) * W + d.Left) * 3];
      for (int x = 0; x < visible; ++x, out += 3) {
        const int idx = line[size_t(x)];
        if (idx != transparent) std::memcpy(out, palette[idx], 3);
      }
    }
  }
  return img;
}

}  // namespace

ImageInfo probe_gif(std::span<const uint8_t> b, uint64_t max_pixels) {
  if (b.size() < 10) throw_corrupt(Format::gif, "file ends inside the header");
  const int w = le16(&b[6]), h = le16(&b[8]);  // logical screen size
  check_dimensions(Format::gif, w, h, max_pixels);
  return {Format::gif, w, h, 1};
}

Image decode_gif(std::span<const uint8_t> b, const ImageInfo& info, uint64_t max_pixels) {
  Source src{b};
  int err = 0;
  std::unique_ptr<GifFileType, Closer> gif(DGifOpen(&src, read_bytes, &err));
  if (!gif) fail(err);
  GifFileType* g = gif.get();
  int transparent = -1;  // from the Graphic Control Extension preceding the frame
  for (;;) {
    GifRecordType rec;
    if (DGifGetRecordType(g, &rec) == GIF_ERROR) fail(g->Error);
    if (rec == IMAGE_DESC_RECORD_TYPE) {
      if (DGifGetImageDesc(g) == GIF_ERROR) fail(g->Error);
      return draw_first_frame(g, info.width, info.height, transparent, max_pixels);
    }
    if (rec == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* ext = nullptr;
      if (DGifGetExtension(g, &code, &ext) == GIF_ERROR) fail(g->Error);
      if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4) transparent = (ext[1] & 1) ? ext[4] : -1;
      while (ext)
        if (DGifGetExtensionNext(g, &ext) == GIF_ERROR) fail(g->Error);
      continue;
    }
    if (rec == TERMINATE_RECORD_TYPE) throw_corrupt(Format::gif, "the file has no image");
    throw_corrupt(Format::gif, "unexpected record");
  }
}

}  // namespace mlfaas::image::detail
