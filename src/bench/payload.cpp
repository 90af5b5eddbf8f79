#include "bench/payload.h"

#include <fmt/format.h>

#include <filesystem>

#include "common/base64.h"
#include "common/strings.h"

namespace mlfaas::bench {

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::raw: return "raw";
    case Encoding::multipart: return "multipart";
    case Encoding::base64_json: return "base64";
  }
  return "?";
}

std::string content_type_for_path(std::string_view path) {
  std::string ext = to_lower(std::filesystem::path(path).extension().string());
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".webp") return "image/webp";
  if (ext == ".bmp") return "image/bmp";
  if (ext == ".gif") return "image/gif";
  return "application/octet-stream";
}

std::string multipart_boundary_for(std::string_view data) {
  // Browsers use random boundaries; a fixed one with a counter is reproducible and just as safe
  // once we check it does not occur in the data.
  for (int i = 0;; ++i) {
    std::string b = fmt::format("----mlfaasBenchBoundary{:08x}", 0x5eed0000u + unsigned(i));
    if (data.find(b) == std::string_view::npos) return b;
  }
}

Payload build_payload(std::string_view path, std::string_view bytes, const PayloadOptions& o) {
  Payload p;
  p.source = std::string(path);
  const std::string type = o.content_type.empty() ? content_type_for_path(path) : o.content_type;
  switch (o.encoding) {
    case Encoding::raw:
      p.content_type = type;
      p.body = std::string(bytes);
      break;
    case Encoding::multipart: {
      const std::string boundary = multipart_boundary_for(bytes);
      const std::string filename =
          o.filename.empty() ? std::filesystem::path(path).filename().string() : o.filename;
      p.content_type = "multipart/form-data; boundary=" + boundary;
      p.body = fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n"
                           "Content-Type: {}\r\n\r\n",
                           boundary, o.field, filename, type);
      p.body.append(bytes);
      p.body += fmt::format("\r\n--{}--\r\n", boundary);
      break;
    }
    case Encoding::base64_json: {
      p.content_type = "application/json";
      p.body = "{\"";
      append_json_escaped(p.body, o.json_key);
      p.body += "\":\"";
      p.body += base64_encode(bytes);
      p.body += "\"}";
      break;
    }
  }
  return p;
}

}  // namespace mlfaas::bench
