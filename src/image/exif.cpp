#include "image/exif.h"

#include "image/bytes.h"

namespace mlfaas::image {

int exif_orientation(std::span<const uint8_t> t) {
  const size_t n = t.size();
  if (n < 8) return 1;
  bool little;
  if (t[0] == 'I' && t[1] == 'I') little = true;
  else if (t[0] == 'M' && t[1] == 'M') little = false;
  else return 1;
  auto u16 = [&](size_t at) { return little ? le16(&t[at]) : be16(&t[at]); };
  auto u32 = [&](size_t at) { return little ? le32(&t[at]) : be32(&t[at]); };
  if (u16(2) != 42) return 1;

  // Offsets are attacker-controlled 32-bit values: compare against n before every read.
  size_t ifd = u32(4);
  if (ifd > n || n - ifd < 2) return 1;
  size_t count = u16(ifd);
  for (size_t i = 0; i < count; ++i) {
    size_t e = ifd + 2 + 12 * i;
    if (e + 12 > n) break;
    if (u16(e) != 0x0112) continue;
    uint16_t type = u16(e + 2);
    uint32_t values = u32(e + 4);
    if (values < 1) return 1;
    // SHORT as the standard says; LONG from a few sloppy writers. Either fits in the inline value field.
    uint32_t v = type == 3 ? u16(e + 8) : type == 4 ? u32(e + 8) : 0;
    return v >= 1 && v <= 8 ? int(v) : 1;
  }
  return 1;
}

}  // namespace mlfaas::image
