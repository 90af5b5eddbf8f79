// Image extraction from a classify request (raw body, multipart, JSON base64 and data: URLs): the
// first byte picks the Content-Type form, the second line is its value, the rest the body. Every
// outcome is an ImageList or a RequestError (4xx), never an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "function/image_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlfaas;
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  static const char* kTypes[] = {"image/jpeg", "application/octet-stream", "application/json",
                                 "multipart/form-data; boundary=XYZ", nullptr, "text/plain", "image/png"};
  const char* ct = kTypes[data[0] % (sizeof kTypes / sizeof kTypes[0])];
  http::Request req{http::Verb::post, "/classify", 11};
  std::string_view body = in;
  if (data[0] & 0x80) {  // the Content-Type from the input itself
    auto nl = in.find('\n');
    req.set(http::Field::content_type, std::string(in.substr(0, nl)));
    body = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  } else if (ct) {
    req.set(http::Field::content_type, ct);
  }
  req.body() = std::string(body);
  auto r = function::extract_images(req, 8);
  if (auto* list = std::get_if<function::ImageList>(&r))
    if (list->images.size() > 8) __builtin_trap();  // the limit holds
  if (auto* err = std::get_if<function::RequestError>(&r))
    if (unsigned(err->status) < 400 || unsigned(err->status) > 499) __builtin_trap();  // a client error, never a 5xx
  return 0;
}
