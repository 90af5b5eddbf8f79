#pragma once
// Internal to mlfaas_http: writes message heads (start line + header block) in one pass.
//
// The server owns the connection-management headers, so they are generated here rather than set
// on the Response: Content-Length, Connection (and Keep-Alive/Transfer-Encoding, which it drops),
// plus Server and Date unless the handler set them. Building the head into one reusable string
// avoids a heap node per added field and lets the socket write go out as two buffers (head, body).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/types.h"

namespace mlfaas::http::detail {

struct HeadParams {
  unsigned version = 11;                      // the request's: 10 or 11
  bool keep_alive = true;
  std::optional<uint64_t> content_length;     // none for 1xx/204/304
  std::string_view server;                    // used unless the response has a Server field
  std::string_view date;                      // used unless the response has a Date field
};

// Replaces `out` with the response head, ending in the blank line.
void serialize_head(std::string& out, const Response& res, const HeadParams& p);

// Replaces `out` with the request head exactly as the fields say (the client prepares them).
void serialize_head(std::string& out, const Request& req);

}  // namespace mlfaas::http::detail
