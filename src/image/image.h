#pragma once
// The decoded image every decoder produces and preprocessing consumes.
#include <cstdint>
#include <vector>

namespace mlfaas::image {

// 8-bit RGB, interleaved, row-major, tightly packed: rgb.size() == width * height * 3.
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
};

}  // namespace mlfaas::image
