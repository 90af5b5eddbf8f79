#pragma once
// Walks the JPEG segments before the first scan to find what libjpeg-turbo does not report to us.
#include <cstdint>
#include <span>

namespace mlfaas::image {

struct JpegMarkers {
  int orientation = 1;        // from the first APP1 "Exif\0\0" segment
  bool adobe = false;         // an APP14 "Adobe" segment is present
  int adobe_transform = -1;   // its color transform byte (0 = none/CMYK, 1 = YCbCr, 2 = YCCK)
  int sof_width = 0, sof_height = 0, sof_components = 0;  // from the first SOFn segment
};

// Stops at SOS/EOI or at the first malformed byte; never reads out of bounds.
JpegMarkers scan_jpeg_markers(std::span<const uint8_t> jpeg);

}  // namespace mlfaas::image
