#pragma once
// Request bodies built from files: raw (Content-Type from the extension), multipart/form-data, or
// JSON {"image": base64}. Each file's body is built once per run, not per request.
#include <string>
#include <string_view>

namespace mlfaas::bench {

enum class Encoding { raw, multipart, base64_json };
const char* encoding_name(Encoding e);  // "raw", "multipart", "base64"

struct PayloadOptions {
  Encoding encoding = Encoding::raw;
  std::string field = "file";  // multipart field name
  std::string filename;        // multipart filename; empty: the file's own name
  std::string content_type;    // raw body / multipart part type; empty: from the file extension
  std::string json_key = "image";
};

struct Payload {
  std::string source;        // the file it came from
  std::string content_type;  // the request's Content-Type
  std::string body;
};

// By extension, case-insensitive: .jpg/.jpeg image/jpeg, .png, .webp, .bmp, .gif; otherwise
// application/octet-stream.
std::string content_type_for_path(std::string_view path);

// A boundary that does not occur in `data`.
std::string multipart_boundary_for(std::string_view data);

Payload build_payload(std::string_view path, std::string_view file_bytes, const PayloadOptions& options);

}  // namespace mlfaas::bench
