#pragma once
// Small string helpers used across libraries.
#include <string>
#include <optional>
#include <string_view>
#include <vector>

namespace mlfaas {

std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// The offset of the first byte that breaks UTF-8 (overlongs, surrogates, > U+10FFFF, truncated
// sequences included), nullopt if `s` is valid UTF-8.
std::optional<size_t> first_invalid_utf8(std::string_view s);
bool istarts_with(std::string_view s, std::string_view prefix);
std::vector<std::string_view> split(std::string_view s, char sep);
std::string to_lower(std::string_view s);
// Reads a whole file; throws std::runtime_error naming the path on failure.
std::string read_file(const std::string& path);
// JSON string escaping without quotes (for hand-built JSON on hot paths).
void append_json_escaped(std::string& out, std::string_view s);
// & < > " as entities, for XML/HTML text and attribute values.
std::string xml_escape(std::string_view s);

}  // namespace mlfaas
