#include "image/jpeg_markers.h"

#include <cstring>

#include "image/bytes.h"
#include "image/exif.h"

namespace mlfaas::image {

JpegMarkers scan_jpeg_markers(std::span<const uint8_t> d) {
  JpegMarkers m;
  bool seen_exif = false, seen_sof = false;
  const size_t n = d.size();
  size_t pos = 2;  // after SOI
  while (pos < n) {
    if (d[pos] != 0xFF) break;
    while (pos < n && d[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= n) break;
    uint8_t marker = d[pos++];
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
    if (marker == 0xDA || marker == 0xD9) break;  // SOS / EOI: headers are over
    if (n - pos < 2) break;
    size_t len = be16(&d[pos]);
    if (len < 2 || len > n - pos) break;
    const uint8_t* p = &d[pos + 2];
    size_t plen = len - 2;
    if (marker == 0xE1 && !seen_exif && plen >= 6 && std::memcmp(p, "Exif\0\0", 6) == 0) {
      seen_exif = true;
      m.orientation = exif_orientation({p + 6, plen - 6});
    } else if (marker == 0xEE && plen >= 12 && std::memcmp(p, "Adobe", 5) == 0) {
      m.adobe = true;
      m.adobe_transform = p[11];
    } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC &&
               !seen_sof && plen >= 6) {
      seen_sof = true;
      m.sof_height = be16(p + 1);
      m.sof_width = be16(p + 3);
      m.sof_components = p[5];
    }
    pos += len;
  }
  return m;
}

}  // namespace mlfaas::image
