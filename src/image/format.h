#pragma once
// Which container an upload is, told from its magic bytes alone.
#include <cstdint>
#include <span>
#include <string_view>

namespace mlfaas::image {

enum class Format { unknown, jpeg, png, webp, bmp, gif };

std::string_view format_name(Format);     // "jpeg", "png", "webp", "bmp", "gif", "unknown"
std::string_view format_display(Format);  // "JPEG", "PNG", "WebP", "BMP", "GIF" (for messages)
Format sniff_format(std::span<const uint8_t> bytes);

}  // namespace mlfaas::image
