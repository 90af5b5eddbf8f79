#pragma once
// Internal: the per-format probes and decoders behind probe()/decode(), plus shared error helpers.
#include <string_view>

#include "image/decode.h"

namespace mlfaas::image::detail {

// "corrupt or truncated <FORMAT>: <detail>"
[[noreturn]] void throw_corrupt(Format, std::string_view detail);
// Throws too_many_pixels when width*height > max_pixels, corrupt when a dimension is < 1.
void check_dimensions(Format, int64_t width, int64_t height, uint64_t max_pixels);

// decode() after probe(): for callers that already probed (the pipeline), to skip a second header parse.
Image decode_probed(std::span<const uint8_t>, const ImageInfo&, const DecodeOptions&);

// Each probe_* fills format, width, height (and orientation for JPEG) from the header alone and validates
// the dimensions; each decode_* gets the probed info and returns the image as stored (no orientation).
ImageInfo probe_jpeg(std::span<const uint8_t>, uint64_t max_pixels);
ImageInfo probe_png(std::span<const uint8_t>, uint64_t max_pixels);
ImageInfo probe_webp(std::span<const uint8_t>, uint64_t max_pixels);
ImageInfo probe_bmp(std::span<const uint8_t>, uint64_t max_pixels);
ImageInfo probe_gif(std::span<const uint8_t>, uint64_t max_pixels);

// min_width/min_height are in stored (pre-orientation) terms here.
Image decode_jpeg(std::span<const uint8_t>, const ImageInfo&, int min_width, int min_height);
Image decode_png(std::span<const uint8_t>, const ImageInfo&);
Image decode_webp(std::span<const uint8_t>, const ImageInfo&);
Image decode_bmp(std::span<const uint8_t>, const ImageInfo&);
Image decode_gif(std::span<const uint8_t>, const ImageInfo&, uint64_t max_pixels);

}  // namespace mlfaas::image::detail
