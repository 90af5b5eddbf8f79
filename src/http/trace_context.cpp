#include "http/trace_context.h"

#include <algorithm>

#include "common/random.h"

namespace mlfaas::http {

namespace {

bool lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view s) { return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; }); }

std::string random_hex(size_t bytes) {
  unsigned char b[16];
  random_bytes(b, bytes);
  static const char hex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < bytes; ++i) {
    s += hex[b[i] >> 4];
    s += hex[b[i] & 0x0f];
  }
  return s;
}

}  // namespace

std::optional<TraceContext> parse_traceparent(std::string_view h) {
  // Version 00 is exactly 55 characters; a later version may be longer (then only its prefix counts).
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  const auto version = h.substr(0, 2), trace = h.substr(3, 32), span = h.substr(36, 16), flags = h.substr(53, 2);
  if (!lower_hex(version) || version == "ff" || (version == "00" && h.size() != 55)) return std::nullopt;
  if (version != "00" && h.size() > 55 && h[55] != '-') return std::nullopt;
  if (!lower_hex(trace) || !lower_hex(span) || !lower_hex(flags) || all_zero(trace) || all_zero(span)) return std::nullopt;
  return TraceContext{std::string(trace), std::string(span), std::string(flags)};
}

TraceContext start_trace() { return TraceContext{random_hex(16), random_hex(8), "01"}; }

TraceContext TraceContext::child() const { return TraceContext{trace_id, random_hex(8), flags}; }

}  // namespace mlfaas::http
