// Server-side request parsing as the server does it: Beast's request parser with the server's
// header and body limits, then the framing checks (no request smuggling). Several pipelined
// requests are parsed from one input.
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>

#include "http/framing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace bhttp = boost::beast::http;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int n = 0; n < 4 && !in.empty(); ++n) {
    bhttp::request_parser<bhttp::string_body> p;
    p.header_limit(16 << 10);
    p.body_limit(1 << 20);
    p.eager(true);
    boost::system::error_code ec;
    size_t used = p.put(boost::asio::buffer(in.data(), in.size()), ec);
    if (ec == bhttp::error::need_more) {
      p.put_eof(ec);
      break;
    }
    if (ec || used == 0) break;
    if (p.is_header_done()) (void)mlfaas::http::framing_error(p.get());
    if (!p.is_done()) break;
    in.remove_prefix(used);
  }
  return 0;
}
