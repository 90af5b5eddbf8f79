// CloudEvents over HTTP. Input: the first line is the Content-Type (empty: none), then header lines
// ("ce-id: 1"), a blank line, the body. Every outcome is a list of valid events or an EventError;
// every decoded event survives structured, batched and binary mode: the same attributes (plus the
// application/json that structured mode makes explicit), the same data (JSON data as the same
// JSON value), and a second structured trip changes nothing.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/strings.h"
#include "events/cloudevent.h"

using namespace mlfaas;
using namespace mlfaas::events;

namespace {

bool json_equal(const std::string& a, const std::string& b) {
  boost::json::parse_options opt;
  opt.max_depth = 1000;
  boost::system::error_code ea, eb;
  auto va = boost::json::parse(a, ea, {}, opt);
  auto vb = boost::json::parse(b, eb, {}, opt);
  return !ea && !eb && va == vb;
}
bool is_json(const std::string& s) { return json_equal(s, s); }

// `after` is `before` after a trip through structured mode.
bool same_after_structured(const CloudEvent& before, const CloudEvent& after) {
  if (before.has_data != after.has_data) return false;
  const bool same_bytes = before.data == after.data;
  if (!same_bytes && !json_equal(before.data, after.data)) return false;
  auto attrs = after.attributes;
  if (!before.attributes.count("datacontenttype") && attrs.count("datacontenttype")) {
    if (attrs["datacontenttype"] != "application/json" || !is_json(after.data)) return false;
    attrs.erase("datacontenttype");
  }
  return attrs == before.attributes;
}

CloudEvent structured_trip(const CloudEvent& e) {
  try {
    return from_structured_json(to_structured_json(e));
  } catch (const EventError&) {
    abort();  // a valid event must come back
  }
}

void check(const CloudEvent& e) {
  try {
    validate(e);
  } catch (const EventError&) {
    abort();  // decode_http returned an invalid event
  }
  const CloudEvent s = structured_trip(e);
  if (!same_after_structured(e, s)) abort();
  if (!(structured_trip(s) == s)) abort();  // stable after one trip

  std::vector<CloudEvent> batch;
  try {
    batch = decode_http({{"Content-Type", "application/cloudevents-batch+json"}}, to_batch_json({e, s}));
  } catch (const EventError&) {
    abort();
  }
  if (batch.size() != 2 || !(batch[0] == s) || !(batch[1] == s)) abort();

  // Binary mode cannot carry an event whose own content type is a CloudEvents format.
  if (istarts_with(e.attr("datacontenttype"), "application/cloudevents")) return;
  std::vector<CloudEvent> b;
  try {
    b = decode_http(binary_headers(e), e.data);
  } catch (const EventError&) {
    abort();
  }
  if (b.size() != 1 || b[0].attributes != e.attributes || b[0].data != e.data) abort();
  if (b[0].has_data != e.has_data && !e.data.empty()) abort();  // an empty body is no data
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto next_line = [&] {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  HeaderList headers;
  if (std::string_view ct = next_line(); !ct.empty()) headers.emplace_back("Content-Type", std::string(ct));
  while (!in.empty()) {
    std::string_view line = next_line();
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  std::vector<CloudEvent> events;
  try {
    events = decode_http(headers, in);
  } catch (const EventError&) {
    return 0;
  }
  for (const CloudEvent& e : events) check(e);
  return 0;
}
