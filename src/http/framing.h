#pragma once
// Request framing the server refuses before reading a body (RFC 9112 §6.1, §3.2; request
// smuggling): pure, unit-tested and fuzzed.
#include <optional>
#include <string>

#include "http/types.h"

namespace mlfaas::http {

struct FramingError {
  Status status;
  std::string message;
};

// An HTTP/1.1 request without Host (400); a transfer coding other than chunked (501: no other is
// decoded, and the body's length could not be known); an empty Transfer-Encoding (400);
// Transfer-Encoding together with Content-Length (400). nullopt: the framing is sound.
std::optional<FramingError> framing_error(const Request& req);

}  // namespace mlfaas::http
