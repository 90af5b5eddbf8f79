#include "http/multipart.h"

#include <fmt/format.h>

#include <optional>

#include "common/strings.h"

namespace mlfaas::http {
namespace {

// Walks `; key=value; key="quoted; value"` parameter lists (Content-Type, Content-Disposition).
// Calls f(key, value) for each parameter; returns the leading token (media/disposition type).
template <class F>
std::string_view parse_header_params(std::string_view s, F&& f) {
  size_t semi = s.find(';');
  std::string_view head = trim(s.substr(0, semi));
  size_t i = semi == std::string_view::npos ? s.size() : semi + 1;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ';')) ++i;
    size_t key_start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
    std::string_view key = trim(s.substr(key_start, i - key_start));
    std::string_view value;
    if (i < s.size() && s[i] == '=') {
      ++i;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (i < s.size() && s[i] == '"') {
        size_t v_start = ++i;
        while (i < s.size() && s[i] != '"') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
        value = s.substr(v_start, std::min(i, s.size()) - v_start);
        if (i < s.size()) ++i;  // closing quote
        while (i < s.size() && s[i] != ';') ++i;
      } else {
        size_t v_start = i;
        while (i < s.size() && s[i] != ';') ++i;
        value = trim(s.substr(v_start, i - v_start));
      }
    }
    if (!key.empty()) f(key, value);
  }
  return head;
}

// Position just past the line ending at `i` ("\r\n" or "\n"), or nullopt if there is none there.
std::optional<size_t> skip_line_end(std::string_view s, size_t i) {
  if (i < s.size() && s[i] == '\n') return i + 1;
  if (i + 1 < s.size() && s[i] == '\r' && s[i + 1] == '\n') return i + 2;
  return std::nullopt;
}

const char* kTruncated = "multipart body is truncated: closing boundary not found";

}  // namespace

std::vector<FormPart> parse_multipart(std::string_view content_type_header, std::string_view body) {
  std::string_view boundary;
  std::string_view media = parse_header_params(content_type_header, [&](std::string_view k, std::string_view v) {
    if (iequals(k, "boundary")) boundary = v;
  });
  if (!istarts_with(media, "multipart/"))
    throw MultipartError(fmt::format("content type \"{}\" is not multipart", media));
  if (boundary.empty()) throw MultipartError("multipart body has no boundary parameter");

  const std::string delimiter = "--" + std::string(boundary);
  const std::string line_delimiter = "\n" + delimiter;  // a delimiter must start a line

  // Opening delimiter: at the very start, or after a preamble.
  size_t pos;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    size_t found = body.find(line_delimiter);
    if (found == std::string_view::npos)
      throw MultipartError(fmt::format("multipart body does not contain the boundary \"{}\"", boundary));
    pos = found + line_delimiter.size();
  }

  std::vector<FormPart> parts;
  for (int number = 1;; ++number) {
    // `pos` is just past a delimiter: "--" closes the body, otherwise padding and a line end.
    if (body.substr(pos, 2) == "--") return parts;  // the epilogue is ignored
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (pos >= body.size()) throw MultipartError(kTruncated);
    auto after_line = skip_line_end(body, pos);
    if (!after_line)
      throw MultipartError(fmt::format("multipart boundary before part {} is followed by unexpected characters", number));
    pos = *after_line;

    // Part headers, up to an empty line.
    FormPart part;
    bool has_disposition = false;
    for (;;) {
      if (pos >= body.size())
        throw MultipartError(fmt::format("multipart body is truncated: part {} headers are not terminated", number));
      if (auto blank = skip_line_end(body, pos)) {
        pos = *blank;
        break;
      }
      size_t eol = body.find('\n', pos);
      if (eol == std::string_view::npos)
        throw MultipartError(fmt::format("multipart body is truncated: part {} headers are not terminated", number));
      std::string_view line = body.substr(pos, eol - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      pos = eol + 1;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos)
        throw MultipartError(fmt::format("multipart part {} has a malformed header line \"{}\"", number, line));
      std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
      if (iequals(name, "Content-Disposition")) {
        has_disposition = true;
        parse_header_params(value, [&](std::string_view k, std::string_view v) {
          if (iequals(k, "name")) part.name = v;
          else if (iequals(k, "filename")) part.filename = v;
        });
      } else if (iequals(name, "Content-Type")) {
        part.content_type = value;
      }
    }
    if (!has_disposition) throw MultipartError(fmt::format("multipart part {} has no Content-Disposition", number));
    if (part.name.empty())
      throw MultipartError(fmt::format("multipart part {} has no name in its Content-Disposition", number));

    // Content runs up to the line break before the next delimiter. Searching from pos-1 lets an
    // empty part's line break double as the one ending the header block's blank line.
    size_t next = body.find(line_delimiter, pos - 1);
    if (next == std::string_view::npos) throw MultipartError(kTruncated);
    size_t end = next;
    if (end > pos && body[end - 1] == '\r') --end;
    part.data = end > pos ? body.substr(pos, end - pos) : std::string_view();
    parts.push_back(part);
    pos = next + line_delimiter.size();
  }
}

const FormPart* find_part(const std::vector<FormPart>& parts, std::string_view name) {
  for (auto& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace mlfaas::http
