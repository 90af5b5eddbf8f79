#include "events/cloudevent.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "common/base64.h"
#include "common/strings.h"

namespace mlfaas::events {

namespace json = boost::json;

const std::string& CloudEvent::attr(const std::string& name) const {
  static const std::string none;
  auto it = attributes.find(name);
  return it == attributes.end() ? none : it->second;
}

void CloudEvent::set(const std::string& name, std::string value) { attributes[name] = std::move(value); }

namespace {

const char* const kRequired[] = {"id", "source", "specversion", "type"};
const char* const kFirst[] = {"specversion", "id", "source", "type"};  // output order, for people reading it
const char* const kCore[] = {"id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time"};
// Nesting allowed in JSON data; an envelope (and a batch around it) may add two levels.
constexpr unsigned kMaxDataDepth = 64;

bool is_core(std::string_view name) { return std::find(std::begin(kCore), std::end(kCore), name) != std::end(kCore); }

bool valid_attribute_name(std::string_view n) {
  if (n.empty() || n == "data") return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

[[noreturn]] void bad_name(std::string_view n) {
  throw EventError(fmt::format(
      "invalid attribute name '{}': CloudEvents attribute names are lower-case letters a-z and digits 0-9 "
      "('data' is reserved)", n));
}

// The media type of a Content-Type value: the part before any parameters, trimmed.
std::string_view media_type(std::string_view content_type) {
  return trim(content_type.substr(0, content_type.find(';')));
}

std::string_view subtype_of(std::string_view mt) {
  size_t slash = mt.find('/');
  return slash == std::string_view::npos ? std::string_view() : mt.substr(slash + 1);
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

// json-format.md 3.1.1: "*/json" or "*/*+json", parameters stripped.
bool is_json_media(std::string_view content_type) {
  std::string_view sub = subtype_of(media_type(content_type));
  return iequals(sub, "json") || iends_with(sub, "+json");
}

// Data the JSON format can carry as a string: text/*, */xml, */*+xml.
bool is_text_media(std::string_view content_type) {
  std::string_view mt = media_type(content_type);
  std::string_view sub = subtype_of(mt);
  return istarts_with(mt, "text/") || iequals(sub, "xml") || iends_with(sub, "+xml");
}

bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 2046 type "/" subtype, both RFC 7230 tokens; parameters are not checked. No blanks around
// it: an HTTP header value loses them, and the event would change on its way through binary mode.
bool valid_media_type(std::string_view content_type) {
  if (trim(content_type).size() != content_type.size()) return false;
  std::string_view mt = media_type(content_type);
  size_t slash = mt.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == mt.size()) return false;
  return std::all_of(mt.begin(), mt.begin() + slash, is_tchar) && std::all_of(mt.begin() + slash + 1, mt.end(), is_tchar);
}

// RFC 3986 absolute URI: at least a scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":").
bool has_uri_scheme(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.begin() + colon, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

// RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), T and Z in either case.
bool is_rfc3339(std::string_view s) {
  size_t i = 0;
  auto num = [&](size_t n, int lo, int hi) -> std::optional<int> {
    if (i + n > s.size()) return std::nullopt;
    int v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    i += n;
    if (v < lo || v > hi) return std::nullopt;
    return v;
  };
  auto lit = [&](std::string_view options) {
    if (i >= s.size() || options.find(s[i]) == std::string_view::npos) return false;
    ++i;
    return true;
  };
  auto y = num(4, 0, 9999);
  if (!y || !lit("-")) return false;
  auto mo = num(2, 1, 12);
  if (!mo || !lit("-")) return false;
  static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  auto d = num(2, 1, dim[*mo - 1] + (*mo == 2 && leap ? 1 : 0));
  if (!d || !lit("Tt") || !num(2, 0, 23) || !lit(":") || !num(2, 0, 59) || !lit(":") || !num(2, 0, 60)) return false;
  if (lit(".")) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (lit("Zz")) return i == s.size();
  if (!lit("+-") || !num(2, 0, 23) || !lit(":") || !num(2, 0, 59)) return false;
  return i == s.size();
}

// The first character a CloudEvents String may not hold, as "U+000A", or "" if none: invalid
// UTF-8, control characters U+0000-U+001F and U+007F-U+009F, Unicode noncharacters.
std::string bad_string_char(std::string_view s) {
  if (auto at = first_invalid_utf8(s)) return fmt::format("invalid UTF-8 at byte {}", *at);
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) cp = c, len = 1;
    else if (c < 0xE0) cp = c & 0x1F, len = 2;
    else if (c < 0xF0) cp = c & 0x0F, len = 3;
    else cp = c & 0x07, len = 4;
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return fmt::format("control character U+{:04X}", cp);
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) return fmt::format("noncharacter U+{:04X}", cp);
  }
  return "";
}

// --- HTTP header values (http-protocol-binding.md 3.1.3.2) ---

// Space, '"', '%' and every byte outside printable ASCII, as %XY with upper-case hex.
std::string percent_encode(std::string_view v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(v.size());
  for (char ch : v) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '"' || c == '%' || c < 0x21 || c > 0x7E) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Quoted strings unescaped first (older senders quoted instead of encoding), then one round of
// percent-decoding. A '%' without two hex digits stays as it is: senders that never encode (sdk-go)
// send "100%". An unterminated quote is kept literally for the same reason.
std::string decode_header_value(std::string_view header, std::string_view raw) {
  std::string unquoted;
  for (size_t i = 0; i < raw.size();) {
    if (raw[i] != '"') {
      unquoted += raw[i++];
      continue;
    }
    std::string inner;
    size_t k = i + 1;
    while (k < raw.size() && raw[k] != '"') {
      if (raw[k] == '\\' && k + 1 < raw.size()) ++k;
      inner += raw[k++];
    }
    if (k == raw.size()) {  // unterminated
      unquoted += raw.substr(i);
      break;
    }
    unquoted += inner;
    i = k + 1;
  }
  std::string out;
  out.reserve(unquoted.size());
  for (size_t i = 0; i < unquoted.size(); ++i) {
    int hi = unquoted[i] == '%' && i + 2 < unquoted.size() ? hex_value(unquoted[i + 1]) : -1;
    int lo = hi >= 0 ? hex_value(unquoted[i + 2]) : -1;
    if (lo >= 0) {
      out += char(hi * 16 + lo);
      i += 2;
    } else {
      out += unquoted[i];
    }
  }
  if (first_invalid_utf8(out))
    throw EventError(fmt::format("header '{}': the percent-decoded value is not valid UTF-8", header));
  return out;
}

const std::string* find_header(const HeaderList& headers, std::string_view name) {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) return &v;
  return nullptr;
}

CloudEvent decode_binary(const HeaderList& headers, std::string_view body) {
  CloudEvent e;
  bool content_type_seen = false;
  for (auto& [name, value] : headers) {
    if (iequals(name, "content-type")) {
      std::string_view v = trim(value);
      if (!content_type_seen && !v.empty()) e.set("datacontenttype", std::string(v));
      content_type_seen = true;
      continue;
    }
    if (!istarts_with(name, "ce-")) continue;
    std::string attr = to_lower(std::string_view(name).substr(3));
    if (attr == "datacontenttype")
      throw EventError("header '" + name + "' is not allowed in binary mode: Content-Type carries datacontenttype");
    if (!valid_attribute_name(attr))
      throw EventError(fmt::format("header '{}': '{}' is not a CloudEvents attribute name (lower-case letters and digits)",
                                   name, attr));
    if (e.attributes.count(attr)) throw EventError(fmt::format("header '{}' appears twice", name));
    e.set(attr, decode_header_value(name, trim(value)));
  }
  if (!body.empty()) {
    e.data = std::string(body);
    e.has_data = true;
  }
  validate(e);
  return e;
}

json::parse_options envelope_options() {
  json::parse_options opt;
  opt.max_depth = kMaxDataDepth + 2;
  return opt;
}

std::string attribute_string(const std::string& name, const json::value& v) {
  auto fail = [&](const char* what) -> std::string {
    throw EventError(fmt::format("attribute '{}': {} (CloudEvents attributes are strings, booleans or 32-bit integers)",
                                 name, what));
  };
  constexpr int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  switch (v.kind()) {
    case json::kind::string: return std::string(v.get_string());
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::int64:
      if (v.get_int64() < lo || v.get_int64() > hi) return fail("integer out of the 32-bit range");
      return std::to_string(v.get_int64());
    case json::kind::uint64:
      if (v.get_uint64() > uint64_t(hi)) return fail("integer out of the 32-bit range");
      return std::to_string(v.get_uint64());
    case json::kind::double_: {
      double d = v.get_double();
      if (d != std::floor(d)) return fail("a number with a fraction");
      if (d < double(lo) || d > double(hi)) return fail("integer out of the 32-bit range");
      return std::to_string(int64_t(d));
    }
    default: return fail("an object, array or null is not an attribute value");
  }
}

CloudEvent event_from_json(const json::value& v) {
  if (!v.is_object()) throw EventError("a structured CloudEvent must be a JSON object");
  CloudEvent e;
  const json::value* data = nullptr;
  const json::value* data64 = nullptr;
  for (auto& [k, val] : v.get_object()) {
    std::string key(k);
    if (key == "data") {
      data = &val;
      continue;
    }
    if (key == "data_base64") {
      if (!val.is_null()) data64 = &val;
      continue;
    }
    if (!valid_attribute_name(key)) bad_name(key);
    if (val.is_null()) continue;  // json-format.md 2.2: null is unset
    if (is_core(key) && !val.is_string())
      throw EventError(fmt::format("attribute '{}' must be a JSON string", key));
    e.set(key, attribute_string(key, val));
  }
  validate(e);
  if (data && data64) throw EventError("an event has either 'data' or 'data_base64', not both");
  if (data64) {
    if (!data64->is_string()) throw EventError("'data_base64' must be a JSON string");
    auto bytes = base64_decode(data64->get_string());
    if (!bytes) throw EventError("'data_base64' is not valid base64");
    e.data = std::move(*bytes);
    e.has_data = true;
  } else if (data) {
    const bool implied = !e.attributes.count("datacontenttype");
    if (implied || is_json_media(e.attr("datacontenttype"))) {
      e.data = json::serialize(*data);
      e.has_data = true;
      if (implied) e.set("datacontenttype", "application/json");
    } else if (data->is_string()) {
      e.data = std::string(data->get_string());
      e.has_data = true;
    } else if (!data->is_null()) {
      throw EventError(fmt::format("'data' must be a JSON string for datacontenttype '{}' (or use data_base64)",
                                   e.attr("datacontenttype")));
    }
  }
  return e;
}

// Every attribute as a JSON string, the required ones first; data as json-format.md 3.1.1 says.
// JSON data is spliced in as the producer wrote it, so nothing is lost going out.
std::string event_json(const CloudEvent& e) {
  json::object o;
  for (const char* k : kFirst)
    if (auto it = e.attributes.find(k); it != e.attributes.end()) o[k] = it->second;
  for (auto& [k, v] : e.attributes)
    if (!o.contains(k)) o[k] = v;
  std::string raw_json;
  if (e.has_data) {
    const bool dct = e.attributes.count("datacontenttype") > 0;
    const std::string& ct = e.attr("datacontenttype");
    bool as_json = false;
    if (!dct || is_json_media(ct)) {
      json::parse_options opt;
      opt.max_depth = kMaxDataDepth;
      boost::system::error_code ec;
      json::parse(e.data, ec, {}, opt);
      as_json = !ec;
    }
    if (as_json) raw_json = e.data;
    else if (dct && is_text_media(ct) && !first_invalid_utf8(e.data)) o["data"] = e.data;
    else o["data_base64"] = base64_encode(e.data);
  }
  std::string out = json::serialize(o);
  if (!raw_json.empty()) {
    out.pop_back();  // '}'
    out += o.empty() ? "\"data\":" : ",\"data\":";
    out += raw_json;
    out += '}';
  }
  return out;
}

}  // namespace

void validate(const CloudEvent& e) {
  for (auto& [name, value] : e.attributes)
    if (!valid_attribute_name(name)) bad_name(name);
  std::string missing;
  for (const char* r : kRequired)
    if (!e.attributes.count(r)) missing += missing.empty() ? r : std::string(", ") + r;
  if (!missing.empty()) throw EventError("missing required attributes: " + missing);
  if (e.attr("specversion") != "1.0")
    throw EventError(fmt::format("unsupported specversion '{}' (only 1.0 is supported)", e.attr("specversion")));
  for (const char* k : kCore)
    if (auto it = e.attributes.find(k); it != e.attributes.end() && it->second.empty())
      throw EventError(fmt::format("attribute '{}' must not be empty", k));
  for (auto& [name, value] : e.attributes)
    if (std::string bad = bad_string_char(value); !bad.empty())
      throw EventError(fmt::format("attribute '{}' has a character CloudEvents strings may not hold: {}", name, bad));
  if (auto it = e.attributes.find("time"); it != e.attributes.end() && !is_rfc3339(it->second))
    throw EventError(fmt::format("attribute 'time' is not an RFC 3339 timestamp: '{}'", it->second));
  if (auto it = e.attributes.find("datacontenttype"); it != e.attributes.end() && !valid_media_type(it->second))
    throw EventError(fmt::format("attribute 'datacontenttype' is not a media type (type/subtype): '{}'", it->second));
  if (auto it = e.attributes.find("dataschema"); it != e.attributes.end() && !has_uri_scheme(it->second))
    throw EventError(fmt::format("attribute 'dataschema' is not an absolute URI: '{}'", it->second));
}

CloudEvent from_structured_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, envelope_options());
  if (ec) throw EventError("structured CloudEvent: invalid JSON: " + ec.message());
  return event_from_json(v);
}

std::vector<CloudEvent> decode_http(const HeaderList& headers, std::string_view body) {
  const std::string* ct = find_header(headers, "content-type");
  const std::string_view mt = ct ? media_type(*ct) : std::string_view();
  const bool binary = find_header(headers, "ce-specversion") != nullptr;
  if (istarts_with(mt, "application/cloudevents")) {
    if (iequals(mt, "application/cloudevents+json")) return {from_structured_json(body)};
    if (iequals(mt, "application/cloudevents-batch+json")) {
      boost::system::error_code ec;
      json::value v = json::parse(body, ec, {}, envelope_options());
      if (ec) throw EventError("CloudEvents batch: invalid JSON: " + ec.message());
      if (!v.is_array()) throw EventError("CloudEvents batch: expected a JSON array of events");
      std::vector<CloudEvent> out;
      for (size_t i = 0; i < v.get_array().size(); ++i) {
        try {
          out.push_back(event_from_json(v.get_array()[i]));
        } catch (const EventError& e) {
          throw EventError(fmt::format("batch[{}]: {}", i, e.what()));
        }
      }
      return out;
    }
    if (!binary)
      throw EventError(fmt::format("unsupported CloudEvents format '{}' (application/cloudevents+json and "
                                   "application/cloudevents-batch+json are)", mt));
  }
  if (!binary)
    throw EventError("not a CloudEvent: no ce-specversion header and Content-Type is not application/cloudevents+json");
  return {decode_binary(headers, body)};
}

HeaderList binary_headers(const CloudEvent& e) {
  HeaderList h;
  for (const char* k : kFirst)
    if (auto it = e.attributes.find(k); it != e.attributes.end()) h.emplace_back(std::string("ce-") + k, percent_encode(it->second));
  for (auto& [k, v] : e.attributes) {
    if (k == "datacontenttype" || std::find(std::begin(kFirst), std::end(kFirst), k) != std::end(kFirst)) continue;
    h.emplace_back("ce-" + k, percent_encode(v));
  }
  if (auto it = e.attributes.find("datacontenttype"); it != e.attributes.end()) h.emplace_back("Content-Type", it->second);
  return h;
}

std::string to_structured_json(const CloudEvent& e) { return event_json(e); }

std::string to_batch_json(const std::vector<CloudEvent>& events) {
  std::string out = "[";
  for (size_t i = 0; i < events.size(); ++i) {
    if (i) out += ',';
    out += event_json(events[i]);
  }
  return out + "]";
}

bool looks_like_event(const HeaderList& headers) {
  if (find_header(headers, "ce-specversion")) return true;
  const std::string* ct = find_header(headers, "content-type");
  return ct && istarts_with(media_type(*ct), "application/cloudevents");
}

}  // namespace mlfaas::events
