#include "async/async_call.h"
#include "common/random.h"


#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace mlfaas::async {
namespace json = boost::json;
namespace {

[[noreturn]] void invalid(const std::string& what) {
  throw std::invalid_argument("async call: " + what);
}

const json::value& field(const json::object& o, const char* name) {
  const json::value* v = o.if_contains(name);
  if (!v) invalid(std::string("missing field \"") + name + "\"");
  return *v;
}

std::string string_field(const json::object& o, const char* name, bool required_non_empty) {
  const json::value& v = field(o, name);
  if (!v.is_string()) invalid(std::string("field \"") + name + "\" must be a string");
  std::string s(v.get_string());
  if (required_non_empty && s.empty()) invalid(std::string("field \"") + name + "\" must not be empty");
  return s;
}

}  // namespace

std::string encode_call(const AsyncCall& call) {
  json::array headers;
  headers.reserve(call.headers.size());
  for (const auto& [k, v] : call.headers) headers.push_back(json::array{json::string(k), json::string(v)});
  json::object meta{{"call_id", call.call_id},           {"function", call.function},
                    {"method", call.method},             {"target", call.target},
                    {"callback_url", call.callback_url}, {"headers", std::move(headers)},
                    {"queued_at_ms", call.queued_at_ms}};
  // serialize() escapes control characters, so the metadata never contains a raw '\n'.
  std::string out = json::serialize(meta);
  out.reserve(out.size() + 1 + call.body.size());
  out += '\n';
  out += call.body;
  return out;
}

AsyncCall decode_call(std::string_view wire) {
  size_t nl = wire.find('\n');
  if (nl == std::string_view::npos) invalid("no newline after the metadata line");
  // Header values may carry obs-text (bytes >= 0x80 that are not UTF-8); they were written as is.
  json::parse_options opts;
  opts.allow_invalid_utf8 = true;
  std::error_code ec;
  json::value meta = json::parse(wire.substr(0, nl), ec, {}, opts);
  if (ec) invalid("metadata is not JSON: " + ec.message());
  if (!meta.is_object()) invalid("metadata must be a JSON object");
  const json::object& o = meta.get_object();

  AsyncCall c;
  c.call_id = string_field(o, "call_id", true);
  c.function = string_field(o, "function", true);
  c.method = string_field(o, "method", true);
  c.target = string_field(o, "target", false);
  c.callback_url = string_field(o, "callback_url", false);
  const json::value& q = field(o, "queued_at_ms");
  if (!q.is_int64()) invalid("field \"queued_at_ms\" must be an integer");
  c.queued_at_ms = q.get_int64();
  const json::value& h = field(o, "headers");
  if (!h.is_array()) invalid("field \"headers\" must be an array");
  for (const json::value& pair : h.get_array()) {
    const json::array* a = pair.if_array();
    if (!a || a->size() != 2 || !(*a)[0].is_string() || !(*a)[1].is_string())
      invalid("each header must be a [name, value] pair of strings");
    c.headers.emplace_back(std::string((*a)[0].get_string()), std::string((*a)[1].get_string()));
  }
  c.body.assign(wire.substr(nl + 1));
  return c;
}

std::string new_call_id() { return uuid_v4(); }

}  // namespace mlfaas::async
