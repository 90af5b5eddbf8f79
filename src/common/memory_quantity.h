#pragma once
// Kubernetes memory quantities ("512Mi", "1Gi", "128M", "1e9", "1048576") in bytes.
#include <cstdint>
#include <optional>
#include <string_view>

namespace mlfaas {

// nullopt if `q` is not a memory quantity, negative, or above 2^63 bytes.
std::optional<uint64_t> parse_memory_quantity(std::string_view q);

}  // namespace mlfaas
