#pragma once
// Standard base64 (RFC 4648) with padding; decoding also accepts the URL-safe alphabet, missing
// padding and ASCII whitespace, as clients produce all of those.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlfaas {

std::string base64_encode(std::string_view bytes);
// nullopt when the input has a character outside the alphabet or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace mlfaas
