#pragma once
// The one EXIF field we need: the Orientation tag (0x0112) in IFD0.
#include <cstdint>
#include <span>

namespace mlfaas::image {

// tiff: the TIFF structure that follows "Exif\0\0" in a JPEG APP1 segment ("II*\0" or "MM\0*").
// Returns 1..8, or 1 when the tag is absent, out of range, or the structure is malformed.
int exif_orientation(std::span<const uint8_t> tiff);

}  // namespace mlfaas::image
