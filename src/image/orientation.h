#pragma once
// Applies an EXIF orientation (1..8) so the image is upright, the way PIL's exif_transpose does.
#include "image/image.h"

namespace mlfaas::image {

// 1 identity, 2 mirror horizontal, 3 rotate 180, 4 mirror vertical, 5 transpose,
// 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise. Other values: unchanged copy.
Image apply_orientation(const Image& src, int orientation);

}  // namespace mlfaas::image
