#pragma once
// http:// URLs as the client needs them: where to connect and what to ask for.
#include <string>
#include <string_view>

#include "http/client.h"

namespace mlfaas::http {

struct HttpUrl {
  Endpoint endpoint;
  std::string target;  // path (at least "/") and query
};

// Throws std::invalid_argument for anything but http://host[:port][/path][?query].
HttpUrl parse_http_url(std::string_view url);

}  // namespace mlfaas::http
