// JPEG through TurboJPEG with libjpeg-turbo's defaults: accurate integer (ISLOW) IDCT and fancy chroma
// upsampling. That is what PIL, djpeg and ImageMagick do on Debian, and what the golden values assume;
// TJFLAG_FASTDCT / TJFLAG_FASTUPSAMPLE move model probabilities by up to 0.035 (model README).
//
// Warnings are errors. libjpeg-turbo reports truncated data ("Premature end of JPEG file"), bad entropy
// data ("Corrupt JPEG data: ...") and the like as warnings and then fills the rest of the image with
// grey; classifying a half-grey image would silently give a wrong answer, so we refuse it
// (TJFLAG_STOPONWARNING). This also rejects a file that only lacks its final EOI marker, and the rare
// camera file with "extraneous bytes before marker"; PIL would accept both. Being strict here is the
// safer default for a classifier: the client gets a clear 4xx instead of a plausible wrong label.
#include <turbojpeg.h>

#include <string>
#include <vector>

#include "image/codecs.h"
#include "image/jpeg_markers.h"

namespace mlfaas::image::detail {

namespace {

struct Decompressor {
  tjhandle h = tjInitDecompress();
  Decompressor() {
    if (!h) throw std::runtime_error("tjInitDecompress failed");
  }
  ~Decompressor() { tjDestroy(h); }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // libjpeg's message without TurboJPEG's "tjDecompress2(): " prefix, which means nothing to a user.
  std::string error() const {
    const char* s = tjGetErrorStr2(h);
    std::string m = s ? s : "unknown error";
    if (m.rfind("tj", 0) == 0) {
      if (size_t p = m.find("(): "); p != std::string::npos) m.erase(0, p + 4);
    }
    return m;
  }
};

bool smaller(tjscalingfactor a, tjscalingfactor b) { return int64_t(a.num) * b.denom < int64_t(b.num) * a.denom; }

// The smallest scale <= 1 whose output still covers min_w x min_h (1/1 when none is asked for).
tjscalingfactor pick_scale(int w, int h, int min_w, int min_h) {
  tjscalingfactor best{1, 1};
  if (min_w <= 0 && min_h <= 0) return best;
  int n = 0;
  const tjscalingfactor* f = tjGetScalingFactors(&n);
  for (int i = 0; f && i < n; ++i) {
    if (f[i].num > f[i].denom) continue;  // never upscale in the IDCT
    if (TJSCALED(w, f[i]) >= min_w && TJSCALED(h, f[i]) >= min_h && smaller(f[i], best)) best = f[i];
  }
  return best;
}

// PIL's conversion of a CMYK JPEG (Image.convert("RGB") of mode CMYK with rawmode "CMYK;I"):
// stored values are Adobe-inverted (255 = no ink), ink = 255 - stored, R = (255-K) - (C*(255-K))/255.
// PIL and ImageMagick both assume the Adobe inversion for every 4-component JPEG, and every CMYK/YCCK
// JPEG in practice carries the Adobe APP14 marker (libjpeg writes it, Photoshop writes it), so we do the
// same without a marker test; jpeg_markers.h still records the marker for diagnostics.
inline uint8_t muldiv255(unsigned a, unsigned b) {
  unsigned t = a * b + 128;
  return uint8_t(((t >> 8) + t) >> 8);
}

void cmyk_to_rgb(const uint8_t* src, uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; ++i, src += 4, dst += 3) {
    unsigned nk = src[3];  // 255 - ink K
    for (int c = 0; c < 3; ++c) dst[c] = uint8_t(nk - muldiv255(255u - src[c], nk));
  }
}

}  // namespace

ImageInfo probe_jpeg(std::span<const uint8_t> b, uint64_t max_pixels) {
  JpegMarkers m = scan_jpeg_markers(b);
  Decompressor tj;
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.h, b.data(), b.size(), &w, &h, &subsamp, &colorspace) != 0) {
    std::string err = tj.error();
    // TurboJPEG 2.1 refuses to *name* unusual chroma sampling layouts in the header call, although
    // tjDecompress2 decodes them; fall back to our own SOF parse for the size in that case only.
    if (err.find("subsampling") == std::string::npos || m.sof_width < 1 || m.sof_height < 1)
      throw_corrupt(Format::jpeg, err);
    w = m.sof_width, h = m.sof_height;
  }
  check_dimensions(Format::jpeg, w, h, max_pixels);
  return {Format::jpeg, w, h, m.orientation};
}

Image decode_jpeg(std::span<const uint8_t> b, const ImageInfo& info, int min_w, int min_h) {
  Decompressor tj;
  const bool cmyk = scan_jpeg_markers(b).sof_components == 4;  // CMYK or YCCK: libjpeg can't make RGB
  const tjscalingfactor sf = pick_scale(info.width, info.height, min_w, min_h);
  Image img;
  img.width = TJSCALED(info.width, sf);
  img.height = TJSCALED(info.height, sf);
  const size_t pixels = size_t(img.width) * size_t(img.height);
  const int pf = cmyk ? TJPF_CMYK : TJPF_RGB;
  // LIMITSCANS: refuse progressive files with absurd scan counts (a known CPU-exhaustion attack).
  const int flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
  std::vector<uint8_t> buf(pixels * size_t(tjPixelSize[pf]));
  if (tjDecompress2(tj.h, b.data(), b.size(), buf.data(), img.width, 0, img.height, pf, flags) != 0)
    throw_corrupt(Format::jpeg, tj.error());
  if (cmyk) {
    img.rgb.resize(pixels * 3);
    cmyk_to_rgb(buf.data(), img.rgb.data(), pixels);
  } else {
    img.rgb = std::move(buf);
  }
  return img;
}

}  // namespace mlfaas::image::detail
