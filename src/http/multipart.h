#pragma once
// multipart/form-data (RFC 7578) parsing for uploads. Zero-copy: every view points into `body`, so
// the body must outlive the parts.
//
// Accepted: quoted or bare boundary parameter, CRLF or bare-LF line endings, preamble and epilogue,
// parts without Content-Type, transport padding after a boundary. Quoted parameter values are
// returned raw (browsers percent-encode quotes instead of backslash-escaping them); filename*= is
// not supported.
#include <stdexcept>
#include <string_view>
#include <vector>

namespace mlfaas::http {

struct FormPart {
  std::string_view name;          // Content-Disposition name
  std::string_view filename;      // empty when absent
  std::string_view content_type;  // empty when the part has no Content-Type
  std::string_view data;          // the content, without the CRLF that precedes the next boundary
};

// The message says what is wrong, suitable for a 400 body, e.g.
//   "multipart body has no boundary parameter"
//   "multipart part 2 has no Content-Disposition"
//   "multipart body is truncated: closing boundary not found"
struct MultipartError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `content_type_header`: the request's Content-Type value ("multipart/form-data; boundary=...").
std::vector<FormPart> parse_multipart(std::string_view content_type_header, std::string_view body);

// First part with this name, or nullptr.
const FormPart* find_part(const std::vector<FormPart>& parts, std::string_view name);

}  // namespace mlfaas::http
