#include "http/message_head.h"

#include <fmt/format.h>

namespace mlfaas::http::detail {

void serialize_head(std::string& out, const Response& res, const HeadParams& p) {
  out.clear();
  out += p.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  fmt::format_to(std::back_inserter(out), "{} ", res.result_int());
  out += res.reason();
  out += "\r\n";
  bool has_server = false, has_date = false;
  for (const auto& f : res) {
    switch (f.name()) {
      case Field::connection:
      case Field::content_length:
      case Field::transfer_encoding:
      case Field::keep_alive:
        continue;  // ours to decide
      case Field::server: has_server = true; break;
      case Field::date: has_date = true; break;
      default: break;
    }
    out += f.name_string();
    out += ": ";
    out += f.value();
    out += "\r\n";
  }
  if (!has_server && !p.server.empty()) {
    out += "Server: ";
    out += p.server;
    out += "\r\n";
  }
  if (!has_date && !p.date.empty()) {
    out += "Date: ";
    out += p.date;
    out += "\r\n";
  }
  if (p.content_length) fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n", *p.content_length);
  if (p.version == 10) {
    if (p.keep_alive) out += "Connection: keep-alive\r\n";  // 1.0 closes by default
  } else if (!p.keep_alive) {
    out += "Connection: close\r\n";
  }
  out += "\r\n";
}

void serialize_head(std::string& out, const Request& req) {
  out.clear();
  out += req.method_string();
  out += ' ';
  out += req.target();
  out += req.version() == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n";
  for (const auto& f : req) {
    out += f.name_string();
    out += ": ";
    out += f.value();
    out += "\r\n";
  }
  out += "\r\n";
}

}  // namespace mlfaas::http::detail
