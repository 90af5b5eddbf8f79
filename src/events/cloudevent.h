#pragma once
// CloudEvents 1.0 (github.com/cloudevents/spec: cloudevents/spec.md, bindings/http-protocol-binding.md,
// formats/json-format.md): the event, its validation, and the HTTP binding's three content modes
// (binary, structured, batched) in both directions. Pure: bytes in, events out; no I/O.
//
// Attributes are held as their canonical strings, so a typed JSON attribute (an integer or boolean
// extension) becomes "5" / "true" and every attribute survives binary <-> structured <-> batch.
// What a round trip may change, as the spec allows or asks:
//   - JSON data read from a structured event is re-serialized (the same JSON value, compact form);
//   - a structured event with "data" and no datacontenttype gets datacontenttype application/json
//     (json-format.md 3.1.2: SHOULD be set explicitly when re-serialized to another binding);
//   - binary mode cannot tell empty data from no data: an empty body is no data (as sdk-go).
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlfaas::events {

class EventError : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct CloudEvent {
  // Context attributes by lower-case name, as their canonical string form: id, source, specversion,
  // type, and optional datacontenttype, dataschema, subject, time; any other name is an extension.
  std::map<std::string, std::string> attributes;
  std::string data;  // the payload bytes (for JSON data: its serialized JSON text)
  bool has_data = false;

  const std::string& attr(const std::string& name) const;  // "" if absent
  void set(const std::string& name, std::string value);
  bool operator==(const CloudEvent&) const = default;
};

// Throws EventError for: an attribute name that is not lower-case letters and digits (or is the
// reserved "data"; the spec's 20-character limit is a SHOULD and is not enforced, as in sdk-go);
// every missing required attribute at once ("missing required attributes: id, source"); a
// specversion other than "1.0"; an empty id, source, type or present optional core attribute; a
// value with a character a CloudEvents String may not hold (invalid UTF-8, control characters,
// noncharacters); a time that is not RFC 3339; a datacontenttype that is not type/subtype; a
// dataschema that is not an absolute URI.
void validate(const CloudEvent& e);

// HTTP -> events (CloudEvents HTTP binding 1.0). The mode is chosen by Content-Type:
//   application/cloudevents+json[; charset]       structured: one event, the body is its JSON form;
//   application/cloudevents-batch+json[; ...]      batched: a JSON array of events (may be empty);
//   anything else (or none)                        binary: ce-* headers (names case-insensitive,
//     values unquoted and percent-decoded), Content-Type -> datacontenttype, body -> data.
// Another application/cloudevents* format is decoded as binary if there is a ce-specversion header
// (the binding's MAY), else refused. Every event is validated. Throws EventError with a clear
// message ("not a CloudEvent: no ce-specversion header and Content-Type is not
// application/cloudevents+json", "batch[2]: missing required attributes: id").
std::vector<CloudEvent> decode_http(const HeaderList& headers, std::string_view body);

// events -> HTTP. Binary mode: ce-specversion, ce-id, ce-source, ce-type, then the other
// attributes by name, values percent-encoded as the binding says (space, '"', '%' and bytes outside
// 0x21-0x7E); datacontenttype as Content-Type. The body is e.data. `e` should be valid.
// An event whose datacontenttype is itself application/cloudevents+json (or -batch+json) cannot go
// in binary mode: the receiver would read the body as a structured event. Send it structured.
HeaderList binary_headers(const CloudEvent& e);
// JSON format: "data" as JSON (the bytes spliced in as they are) when datacontenttype is absent or
// JSON (*/json, */*+json) and the data parses as JSON; as a JSON string when it is text (text/*,
// */xml, */*+xml) and valid UTF-8; otherwise "data_base64".
std::string to_structured_json(const CloudEvent& e);
std::string to_batch_json(const std::vector<CloudEvent>& events);
// One structured event (validated). null attributes are unset; "data": null is an explicit JSON
// null payload. Throws EventError.
CloudEvent from_structured_json(std::string_view json);

// True if the request/response carries an event: a ce-specversion header or a Content-Type that
// starts with application/cloudevents (structured or batched).
bool looks_like_event(const HeaderList& headers);

}  // namespace mlfaas::events
