#pragma once
// Blocking HTTP/1.1 calls to 127.0.0.1 for tests (one connection per call unless a Connection is used).
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlfaas::test {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  // Parsed once and kept, so references into it live as long as the result.
  const boost::json::value& json() const {
    if (!parsed_) parsed_ = boost::json::parse(body);
    return *parsed_;
  }
  mutable std::optional<boost::json::value> parsed_;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

HttpResult http_call(int port, const std::string& method, const std::string& target,
                     const std::string& body = {}, const Headers& headers = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Sends raw bytes, then reads until the peer closes or timeout; returns what was received.
std::string raw_exchange(int port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Builds a multipart/form-data body; returns {content_type, body}.
struct Part {
  std::string name, filename, content_type, data;
};
std::pair<std::string, std::string> multipart_body(const std::vector<Part>& parts);

}  // namespace mlfaas::test
