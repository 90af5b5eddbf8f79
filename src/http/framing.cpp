#include "http/framing.h"

#include "common/strings.h"

namespace mlfaas::http {

std::optional<FramingError> framing_error(const Request& req) {
  if (req.version() >= 11 && req.find(Field::host) == req.end())
    return FramingError{Status::bad_request, std::string("an HTTP/1.1 request needs a Host header")};
  auto te = req.find(Field::transfer_encoding);
  if (te == req.end()) return std::nullopt;
  if (req.find(Field::content_length) != req.end())
    return FramingError{Status::bad_request, std::string("Transfer-Encoding and Content-Length together are refused")};
  std::string_view v = te->value();
  std::string_view last;
  int chunked = 0;
  while (!v.empty()) {
    auto comma = v.find(',');
    std::string_view token = trim(v.substr(0, comma));
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    if (token.empty()) continue;
    if (!iequals(token, "chunked"))
      return FramingError{Status::not_implemented,
                          "Transfer-Encoding '" + std::string(token) + "' is not supported (only chunked)"};
    last = token;
    ++chunked;
  }
  if (last.empty()) return FramingError{Status::bad_request, std::string("empty Transfer-Encoding")};
  if (chunked > 1) return FramingError{Status::bad_request, std::string("chunked may be applied only once")};
  return std::nullopt;
}

}  // namespace mlfaas::http
