#pragma once
// Turns uploaded bytes (JPEG, PNG, WebP, BMP, GIF) into 8-bit RGB, or a DecodeError a user can act on.
// Every decoder is written for hostile input: truncated, corrupt or oversized files throw, never crash.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "image/format.h"
#include "image/image.h"

namespace mlfaas::image {

enum class ErrorKind { empty, unsupported_format, corrupt, too_many_pixels };

class DecodeError : public std::runtime_error {
 public:
  DecodeError(ErrorKind kind, std::string msg) : std::runtime_error(std::move(msg)), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// What the header says. width/height are as stored in the file; orientation is the EXIF Orientation
// tag (1..8, JPEG only, 1 elsewhere). display_* are the dimensions after applying the orientation.
struct ImageInfo {
  Format format = Format::unknown;
  int width = 0;
  int height = 0;
  int orientation = 1;
  bool transposed() const { return orientation >= 5; }  // 5..8 swap width and height
  int display_width() const { return transposed() ? height : width; }
  int display_height() const { return transposed() ? width : height; }
};

// Reads only the header: cheap, no pixel allocation. Throws DecodeError, including too_many_pixels
// when width*height > max_pixels.
ImageInfo probe(std::span<const uint8_t> bytes, uint64_t max_pixels);

struct DecodeOptions {
  uint64_t max_pixels = 50'000'000;  // decompression-bomb guard on the header dimensions
  // JPEG DCT scaling: decode at the smallest libjpeg-turbo scale factor M/8 whose scaled size is still
  // >= these (0 = full size). They refer to the final image, i.e. after EXIF orientation when applied.
  // Other formats ignore them. See min_decode_size() in preprocess.h for the values preprocessing needs.
  int min_width = 0, min_height = 0;
  bool apply_exif_orientation = true;
};

Image decode(std::span<const uint8_t> bytes, const DecodeOptions& = {});

}  // namespace mlfaas::image
