// CloudEvents 1.0 over HTTP: the spec's own examples in binary, structured and batched mode,
// percent-encoding, validation messages, and every round trip keeping every attribute.
#include "events/cloudevent.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace mlfaas::events {
namespace {

std::string error_of(const HeaderList& h, std::string_view body) {
  try {
    decode_http(h, body);
  } catch (const EventError& e) {
    return e.what();
  }
  return "";
}

std::string validate_error(const CloudEvent& e) {
  try {
    validate(e);
  } catch (const EventError& x) {
    return x.what();
  }
  return "";
}

std::string structured_error(std::string_view json) {
  try {
    from_structured_json(json);
  } catch (const EventError& e) {
    return e.what();
  }
  return "";
}

CloudEvent minimal() {
  CloudEvent e;
  e.set("specversion", "1.0");
  e.set("id", "1234-1234-1234");
  e.set("source", "/mycontext/subcontext");
  e.set("type", "com.example.someevent");
  return e;
}

const std::string* header(const HeaderList& h, const std::string& name) {
  for (auto& [k, v] : h)
    if (k == name) return &v;
  return nullptr;
}

boost::json::value parsed(const std::string& s) { return boost::json::parse(s); }

// --- binary mode ---

TEST(CloudEventBinary, DecodesTheSpecExample) {  // http-protocol-binding.md 3.1.4
  auto events = decode_http({{"ce-specversion", "1.0"},
                             {"ce-type", "com.example.someevent"},
                             {"ce-time", "2018-04-05T03:56:24Z"},
                             {"ce-id", "1234-1234-1234"},
                             {"ce-source", "/mycontext/subcontext"},
                             {"Content-Type", "application/json; charset=utf-8"},
                             {"Content-Length", "13"},
                             {"Host", "webhook.example.com"}},
                            R"({"a": [1, 2]})");
  ASSERT_EQ(events.size(), 1u);
  const CloudEvent& e = events[0];
  EXPECT_EQ(e.attributes.size(), 6u);
  EXPECT_EQ(e.attr("type"), "com.example.someevent");
  EXPECT_EQ(e.attr("time"), "2018-04-05T03:56:24Z");
  EXPECT_EQ(e.attr("datacontenttype"), "application/json; charset=utf-8");
  EXPECT_TRUE(e.has_data);
  EXPECT_EQ(e.data, R"({"a": [1, 2]})");  // the body's bytes, untouched
}

TEST(CloudEventBinary, HeaderNamesAreCaseInsensitive) {
  auto e = decode_http({{"CE-SpecVersion", "1.0"}, {"Ce-Id", "x"}, {"CE-SOURCE", "/s"}, {"ce-Type", "t"},
                        {"Ce-MyExtension", "v"}, {"content-TYPE", "text/plain"}},
                       "hi")[0];
  EXPECT_EQ(e.attr("id"), "x");
  EXPECT_EQ(e.attr("myextension"), "v");
  EXPECT_EQ(e.attr("datacontenttype"), "text/plain");
}

TEST(CloudEventBinary, PercentDecodesValues) {
  auto decode_subject = [](const std::string& v) {
    return decode_http({{"ce-specversion", "1.0"}, {"ce-id", "1"}, {"ce-source", "/s"}, {"ce-type", "t"},
                        {"ce-subject", v}},
                       "")[0]
        .attr("subject");
  };
  EXPECT_EQ(decode_subject("Euro%20%E2%82%AC%20%F0%9F%98%80"), "Euro \xE2\x82\xAC \xF0\x9F\x98\x80");  // the spec's example
  EXPECT_EQ(decode_subject("%e2%82%ac"), "\xE2\x82\xAC");  // lower-case hex is accepted
  EXPECT_EQ(decode_subject("%41%42C"), "ABC");             // unnecessary encoding is accepted
  EXPECT_EQ(decode_subject("100%"), "100%");               // senders that never encode (sdk-go)
  EXPECT_EQ(decode_subject("50%zz"), "50%zz");
  EXPECT_EQ(decode_subject("%2541"), "%41");  // a single round
  EXPECT_EQ(decode_subject("\"hello world\""), "hello world");  // quoted strings (older senders)
  EXPECT_EQ(decode_subject("say \"a \\\"b\\\" c\" now"), "say a \"b\" c now");
  EXPECT_EQ(decode_subject("\"%20\""), " ");  // unquoted, then percent-decoded
  EXPECT_EQ(decode_subject("half\"open"), "half\"open");  // an unterminated quote stays
  EXPECT_EQ(decode_subject("  padded  "), "padded");    // optional whitespace around a header value
}

TEST(CloudEventBinary, RejectsPercentEncodedInvalidUtf8) {
  // The spec's example: %C0%A0 is an overlong encoding of U+0020 and MUST be rejected.
  EXPECT_EQ(error_of({{"ce-specversion", "1.0"}, {"ce-id", "1"}, {"ce-source", "/s"}, {"ce-type", "t"},
                      {"ce-subject", "%C0%A0"}},
                     ""),
            "header 'ce-subject': the percent-decoded value is not valid UTF-8");
  EXPECT_NE(error_of({{"ce-specversion", "1.0"}, {"ce-id", "%FF"}, {"ce-source", "/s"}, {"ce-type", "t"}}, ""), "");
}

TEST(CloudEventBinary, EncodesHeadersAsTheSpecSays) {
  CloudEvent e = minimal();
  e.set("subject", "Euro \xE2\x82\xAC \xF0\x9F\x98\x80");
  e.set("comexampleextension1", "a \"quoted\" 100% value");
  e.set("datacontenttype", "application/json; charset=utf-8");
  e.set("time", "2018-04-05T03:56:24Z");
  HeaderList h = binary_headers(e);
  ASSERT_EQ(h.size(), 8u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"ce-specversion", "1.0"}));  // required first
  EXPECT_EQ(h[1].first, "ce-id");
  EXPECT_EQ(h[2].first, "ce-source");
  EXPECT_EQ(h[3].first, "ce-type");
  EXPECT_EQ(*header(h, "ce-subject"), "Euro%20%E2%82%AC%20%F0%9F%98%80");
  EXPECT_EQ(*header(h, "ce-comexampleextension1"), "a%20%22quoted%22%20100%25%20value");
  EXPECT_EQ(*header(h, "ce-time"), "2018-04-05T03:56:24Z");
  EXPECT_EQ(*header(h, "Content-Type"), "application/json; charset=utf-8");  // not percent-encoded
  EXPECT_EQ(header(h, "ce-datacontenttype"), nullptr);
  EXPECT_EQ(header(binary_headers(minimal()), "Content-Type"), nullptr);
}

TEST(CloudEventBinary, NamesEveryMissingRequiredAttribute) {
  EXPECT_EQ(error_of({{"ce-specversion", "1.0"}}, ""), "missing required attributes: id, source, type");
  EXPECT_EQ(error_of({{"ce-specversion", "1.0"}, {"ce-type", "t"}, {"ce-id", "1"}}, ""),
            "missing required attributes: source");
}

TEST(CloudEventBinary, RefusesOtherSpecVersions) {
  EXPECT_EQ(error_of({{"ce-specversion", "0.3"}, {"ce-id", "1"}, {"ce-source", "/s"}, {"ce-type", "t"}}, ""),
            "unsupported specversion '0.3' (only 1.0 is supported)");
  EXPECT_EQ(error_of({{"ce-specversion", "1.0.2"}, {"ce-id", "1"}, {"ce-source", "/s"}, {"ce-type", "t"}}, ""),
            "unsupported specversion '1.0.2' (only 1.0 is supported)");
}

TEST(CloudEventBinary, SaysWhenARequestIsNotAnEvent) {
  const std::string msg = "not a CloudEvent: no ce-specversion header and Content-Type is not application/cloudevents+json";
  EXPECT_EQ(error_of({{"Content-Type", "application/json"}}, "{}"), msg);
  EXPECT_EQ(error_of({}, ""), msg);
  EXPECT_EQ(error_of({{"ce-id", "1"}, {"ce-source", "/s"}, {"ce-type", "t"}}, ""), msg);
}

TEST(CloudEventBinary, RefusesMalformedHeaders) {
  const HeaderList base = {{"ce-specversion", "1.0"}, {"ce-id", "1"}, {"ce-source", "/s"}, {"ce-type", "t"}};
  auto with = [&](std::string k, std::string v) {
    HeaderList h = base;
    h.emplace_back(std::move(k), std::move(v));
    return error_of(h, "");
  };
  EXPECT_EQ(with("ce-datacontenttype", "text/plain"),
            "header 'ce-datacontenttype' is not allowed in binary mode: Content-Type carries datacontenttype");
  EXPECT_EQ(with("ce-foo-bar", "x"), "header 'ce-foo-bar': 'foo-bar' is not a CloudEvents attribute name (lower-case letters and digits)");
  EXPECT_EQ(with("ce-data", "x"), "header 'ce-data': 'data' is not a CloudEvents attribute name (lower-case letters and digits)");
  EXPECT_EQ(with("CE-ID", "2"), "header 'CE-ID' appears twice");
  EXPECT_EQ(with("ce-id", ""), "header 'ce-id' appears twice");
  EXPECT_EQ(with("ce-subject", ""), "attribute 'subject' must not be empty");
  EXPECT_EQ(with("ce-time", "yesterday"), "attribute 'time' is not an RFC 3339 timestamp: 'yesterday'");
  EXPECT_EQ(with("ce-note", "line%0Abreak"),
            "attribute 'note' has a character CloudEvents strings may not hold: control character U+000A");
  EXPECT_EQ(with("ce-ext", ""), "");  // an extension may be an empty string
}

TEST(CloudEventBinary, AnEmptyBodyIsNoData) {
  auto e = decode_http({{"ce-specversion", "1.0"}, {"ce-id", "1"}, {"ce-source", "/s"}, {"ce-type", "t"},
                        {"Content-Type", "text/plain"}},
                       "")[0];
  EXPECT_FALSE(e.has_data);
  EXPECT_EQ(e.attr("datacontenttype"), "text/plain");
}

TEST(CloudEventBinary, OtherEventFormatsAreBinaryOnlyWithCeHeaders) {
  // http-protocol-binding.md 3: a format the receiver cannot handle MAY still be treated as binary.
  EXPECT_EQ(error_of({{"Content-Type", "application/cloudevents+avro"}}, "x"),
            "unsupported CloudEvents format 'application/cloudevents+avro' (application/cloudevents+json and "
            "application/cloudevents-batch+json are)");
  auto e = decode_http({{"Content-Type", "application/cloudevents+avro"}, {"ce-specversion", "1.0"}, {"ce-id", "1"},
                        {"ce-source", "/s"}, {"ce-type", "t"}},
                       "\x01\x02")[0];
  EXPECT_EQ(e.attr("datacontenttype"), "application/cloudevents+avro");
  EXPECT_EQ(e.data, "\x01\x02");
}

// --- structured mode (json-format.md 3.2 examples) ---

TEST(CloudEventStructured, BinaryDataAsBase64) {
  auto events = decode_http({{"Content-Type", "application/cloudevents+json; charset=UTF-8"}}, R"({
    "specversion" : "1.0", "type" : "com.example.someevent", "source" : "/mycontext", "id" : "A234-1234-1234",
    "time" : "2018-04-05T17:31:00Z", "comexampleextension1" : "value", "comexampleothervalue" : 5,
    "datacontenttype" : "application/vnd.apache.thrift.binary", "data_base64" : "AAEC/w==" })");
  ASSERT_EQ(events.size(), 1u);
  const CloudEvent& e = events[0];
  EXPECT_EQ(e.data, std::string("\x00\x01\x02\xFF", 4));
  EXPECT_EQ(e.attr("comexampleothervalue"), "5");  // an Integer becomes its canonical string
  EXPECT_EQ(e.attr("datacontenttype"), "application/vnd.apache.thrift.binary");
  // Re-encoded in binary mode as the spec shows it.
  HeaderList h = binary_headers(e);
  EXPECT_EQ(*header(h, "ce-comexampleothervalue"), "5");
  EXPECT_EQ(*header(h, "Content-Type"), "application/vnd.apache.thrift.binary");
}

TEST(CloudEventStructured, XmlDataAsAString) {
  auto e = from_structured_json(R"({"specversion":"1.0","type":"com.example.someevent","source":"/mycontext",
    "id":"B234-1234-1234","unsetextension":null,"datacontenttype":"application/xml","data":"<much wow=\"xml\"/>"})");
  EXPECT_EQ(e.data, "<much wow=\"xml\"/>");
  EXPECT_EQ(e.attributes.count("unsetextension"), 0u);  // null is unset
  EXPECT_EQ(parsed(to_structured_json(e)).at("data"), "<much wow=\"xml\"/>");
}

TEST(CloudEventStructured, JsonData) {
  auto e = from_structured_json(R"({"specversion":"1.0","type":"t","source":"/mycontext","subject":null,
    "id":"C234-1234-1234","datacontenttype":"application/json","data":{"appinfoA":"abc","appinfoB":123,"appinfoC":true}})");
  EXPECT_EQ(e.attributes.count("subject"), 0u);
  EXPECT_EQ(parsed(e.data), parsed(R"({"appinfoA":"abc","appinfoB":123,"appinfoC":true})"));
  auto number = from_structured_json(R"({"specversion":"1.0","type":"t","source":"/s","id":"1",
    "datacontenttype":"application/json","data":1.5})");
  EXPECT_EQ(parsed(number.data), parsed("1.5"));
  auto null = from_structured_json(R"({"specversion":"1.0","type":"t","source":"/s","id":"1","data":null})");
  EXPECT_TRUE(null.has_data);  // an explicit null payload, not absent data
  EXPECT_EQ(null.data, "null");
}

TEST(CloudEventStructured, DataWithoutContentTypeIsJsonAndSaysSo) {
  // json-format.md 3.1.2: no datacontenttype means application/json, and it SHOULD be set
  // explicitly when the event moves to another binding; the binary body is a JSON string literal.
  auto e = from_structured_json(R"({"specversion":"1.0","type":"t","source":"/mycontext","id":"D234-1234-1234",
    "data":"I'm just a string"})");
  EXPECT_EQ(e.data, "\"I'm just a string\"");
  EXPECT_EQ(e.attr("datacontenttype"), "application/json");
  EXPECT_EQ(*header(binary_headers(e), "Content-Type"), "application/json");
}

TEST(CloudEventStructured, Base64DataWithoutContentTypeStaysUntyped) {
  auto e = from_structured_json(R"({"specversion":"1.0","type":"t","source":"/mycontext","id":"D234-1234-1234",
    "data_base64":"eyAieHl6IjogMTIzIH0="})");
  EXPECT_EQ(e.data, R"({ "xyz": 123 })");
  EXPECT_EQ(e.attributes.count("datacontenttype"), 0u);  // no assumption of JSON
  EXPECT_EQ(header(binary_headers(e), "Content-Type"), nullptr);
}

TEST(CloudEventStructured, TypedAttributesBecomeCanonicalStrings) {
  auto e = from_structured_json(R"({"specversion":"1.0","type":"t","source":"/s","id":"1",
    "count":-2147483648,"big":2147483647,"flag":true,"off":false,"whole":5.0,"str":"5"})");
  EXPECT_EQ(e.attr("count"), "-2147483648");
  EXPECT_EQ(e.attr("big"), "2147483647");
  EXPECT_EQ(e.attr("flag"), "true");
  EXPECT_EQ(e.attr("off"), "false");
  EXPECT_EQ(e.attr("whole"), "5");
  EXPECT_EQ(e.attr("str"), "5");
  EXPECT_FALSE(e.has_data);
}

TEST(CloudEventStructured, RefusesWhatIsNotAnEvent) {
  const std::string head = R"({"specversion":"1.0","type":"t","source":"/s","id":"1",)";
  EXPECT_EQ(structured_error(head + R"("n":1.5})"),
            "attribute 'n': a number with a fraction (CloudEvents attributes are strings, booleans or 32-bit integers)");
  EXPECT_EQ(structured_error(head + R"("n":2147483648})"),
            "attribute 'n': integer out of the 32-bit range (CloudEvents attributes are strings, booleans or 32-bit integers)");
  EXPECT_EQ(structured_error(head + R"("n":{"a":1}})"),
            "attribute 'n': an object, array or null is not an attribute value (CloudEvents attributes are strings, "
            "booleans or 32-bit integers)");
  EXPECT_EQ(structured_error(head + R"("Bad":"x"})"),
            "invalid attribute name 'Bad': CloudEvents attribute names are lower-case letters a-z and digits 0-9 "
            "('data' is reserved)");
  EXPECT_EQ(structured_error(head + R"("data":1,"data_base64":"AA=="})"),
            "an event has either 'data' or 'data_base64', not both");
  EXPECT_EQ(structured_error(head + R"("data_base64":"!!"})"), "'data_base64' is not valid base64");
  EXPECT_EQ(structured_error(head + R"("data_base64":5})"), "'data_base64' must be a JSON string");
  EXPECT_EQ(structured_error(head + R"("datacontenttype":"text/plain","data":{"a":1}})"),
            "'data' must be a JSON string for datacontenttype 'text/plain' (or use data_base64)");
  EXPECT_EQ(structured_error(R"({"specversion":"1.0","type":"t","source":"/s","id":7})"),
            "attribute 'id' must be a JSON string");
  EXPECT_EQ(structured_error(R"({"specversion":"1.0","type":"t"})"), "missing required attributes: id, source");
  EXPECT_EQ(structured_error(R"({"specversion":"1.0","type":"t","source":"/s","id":null})"),
            "missing required attributes: id");
  EXPECT_EQ(structured_error("[1]"), "a structured CloudEvent must be a JSON object");
  EXPECT_EQ(structured_error("{").rfind("structured CloudEvent: invalid JSON: ", 0), 0u);
}

// --- batched mode ---

TEST(CloudEventBatch, DecodesEveryEventAndNamesTheBadOne) {
  const HeaderList h = {{"Content-Type", "application/cloudevents-batch+json; charset=utf-8"}};
  auto events = decode_http(h, R"([
    {"specversion":"1.0","type":"com.example.someevent","source":"/s","id":"1","data":{"a":1}},
    {"specversion":"1.0","type":"com.example.someotherevent","source":"/s","id":"2","ext":"x"}])");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].attr("type"), "com.example.someevent");
  EXPECT_EQ(events[1].attr("ext"), "x");
  EXPECT_TRUE(decode_http(h, "[]").empty());
  EXPECT_EQ(error_of(h, R"([{"specversion":"1.0","type":"t","source":"/s","id":"1"},{"specversion":"1.0","type":"t","source":"/s"}])"),
            "batch[1]: missing required attributes: id");
  EXPECT_EQ(error_of(h, "{}"), "CloudEvents batch: expected a JSON array of events");
  EXPECT_EQ(error_of(h, "[1]"), "batch[0]: a structured CloudEvent must be a JSON object");
}

// --- JSON output ---

TEST(CloudEventJson, DataIsWrittenByContentType) {
  auto with = [](const char* ct, std::string data) {
    CloudEvent e = minimal();
    if (ct) e.set("datacontenttype", ct);
    e.data = std::move(data);
    e.has_data = true;
    return parsed(to_structured_json(e)).as_object();
  };
  EXPECT_EQ(with("application/json", R"({"a":[1,2]})").at("data"), parsed(R"({"a":[1,2]})"));
  EXPECT_EQ(with(nullptr, "42").at("data"), 42);  // absent = application/json
  EXPECT_EQ(with("application/cloudevents+json", "true").at("data"), true);  // */*+json
  EXPECT_EQ(with("Application/JSON; charset=utf-8", "[]").at("data"), parsed("[]"));
  EXPECT_EQ(with("application/json", "not json").at("data_base64"), "bm90IGpzb24=");  // keeps the bytes
  EXPECT_EQ(with(nullptr, "not json").at("data_base64"), "bm90IGpzb24=");
  EXPECT_EQ(with("text/plain", "hello").at("data"), "hello");
  EXPECT_EQ(with("application/atom+xml", "<feed/>").at("data"), "<feed/>");
  EXPECT_EQ(with("text/plain", "\xFF").at("data_base64"), "/w==");  // not UTF-8: base64
  EXPECT_EQ(with("application/octet-stream", "hello").at("data_base64"), "aGVsbG8=");
  EXPECT_EQ(with("image/png", "").at("data_base64"), "");
  CloudEvent none = minimal();
  EXPECT_FALSE(parsed(to_structured_json(none)).as_object().contains("data"));
  EXPECT_FALSE(parsed(to_structured_json(none)).as_object().contains("data_base64"));
}

TEST(CloudEventJson, JsonDataIsSplicedAsWritten) {
  // Going out, the producer's JSON is kept byte for byte (no re-serialization, no lost precision).
  CloudEvent e = minimal();
  e.set("datacontenttype", "application/json");
  e.data = "{ \"n\": 12345678901234567890123.000 }";
  e.has_data = true;
  const std::string s = to_structured_json(e);
  EXPECT_NE(s.find("\"data\":{ \"n\": 12345678901234567890123.000 }}"), std::string::npos) << s;
  EXPECT_EQ(s.rfind("{\"specversion\":\"1.0\",\"id\":", 0), 0u) << s;  // required attributes first
}

TEST(CloudEventJson, BatchIsAnArrayOfEvents) {
  EXPECT_EQ(to_batch_json({}), "[]");
  CloudEvent a = minimal(), b = minimal();
  b.set("id", "2");
  auto v = parsed(to_batch_json({a, b}));
  ASSERT_EQ(v.as_array().size(), 2u);
  EXPECT_EQ(v.as_array()[1].at("id"), "2");
}

// --- round trips ---

CloudEvent rich() {
  CloudEvent e = minimal();
  e.set("subject", "a b \"c\" 100% \xE2\x82\xAC");
  e.set("time", "2018-04-05T17:31:00.123456+02:00");
  e.set("dataschema", "https://example.com/schema.json");
  e.set("comexampleextension1", "value");
  e.set("comexampleothervalue", "5");
  e.set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  e.set("empty", "");
  e.set("x1234567890123456789012345", "long names are a SHOULD, not a MUST");
  return e;
}

TEST(CloudEventRoundTrip, ExtensionsSurviveEveryMode) {
  for (const char* ct : {"application/json", "text/plain; charset=utf-8", "application/octet-stream"}) {
    CloudEvent e = rich();
    e.set("datacontenttype", ct);
    e.data = std::string(ct) == "application/octet-stream" ? std::string("\x00\xFF\x10", 3) : "\"payload\"";
    e.has_data = true;
    // binary -> event
    auto b = decode_http(binary_headers(e), e.data);
    ASSERT_EQ(b.size(), 1u) << ct;
    EXPECT_EQ(b[0], e) << ct;
    // structured -> event
    HeaderList sh = {{"Content-Type", "application/cloudevents+json"}};
    auto s = decode_http(sh, to_structured_json(e));
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0], e) << ct;
    // batch -> events
    HeaderList bh = {{"Content-Type", "application/cloudevents-batch+json"}};
    auto all = decode_http(bh, to_batch_json({e, b[0], s[0]}));
    ASSERT_EQ(all.size(), 3u);
    for (auto& x : all) EXPECT_EQ(x, e) << ct;
    // and back to binary from the batch
    EXPECT_EQ(decode_http(binary_headers(all[2]), all[2].data)[0], e) << ct;
  }
}

TEST(CloudEventRoundTrip, JsonDataKeepsItsValue) {
  CloudEvent e = rich();
  e.data = "{ \"a\" : [1, 2.5, \"x\"] }";
  e.has_data = true;  // no datacontenttype: JSON by default
  CloudEvent s = from_structured_json(to_structured_json(e));
  EXPECT_EQ(parsed(s.data), parsed(e.data));
  EXPECT_EQ(s.attr("datacontenttype"), "application/json");  // made explicit
  CloudEvent again = from_structured_json(to_structured_json(s));
  EXPECT_EQ(again, s);  // stable after the first trip
  EXPECT_EQ(decode_http(binary_headers(s), s.data)[0], s);
}

TEST(CloudEventRoundTrip, TypedExtensionsKeepTheirCanonicalForm) {
  auto e = from_structured_json(R"({"specversion":"1.0","type":"t","source":"/s","id":"1","n":42,"b":true})");
  auto b = decode_http(binary_headers(e), "")[0];
  EXPECT_EQ(b.attr("n"), "42");
  EXPECT_EQ(b.attr("b"), "true");
  EXPECT_EQ(from_structured_json(to_structured_json(b)), e);
}

// --- validation ---

TEST(CloudEventValidate, AttributeNames) {
  CloudEvent e = minimal();
  EXPECT_EQ(validate_error(e), "");
  e.set("abc123", "x");
  e.set("0abc", "x");  // the 1.0.2 spec only says SHOULD start with a letter
  EXPECT_EQ(validate_error(e), "");
  for (const char* bad : {"Abc", "a-b", "a_b", "data", "", "caf\xC3\xA9"}) {
    CloudEvent x = minimal();
    x.set(bad, "v");
    EXPECT_EQ(validate_error(x).rfind("invalid attribute name", 0), 0u) << bad;
  }
}

TEST(CloudEventValidate, Times) {
  for (const char* good : {"2018-04-05T17:31:00Z", "2018-04-05t17:31:00z", "2018-04-05T17:31:00.123456789Z",
                           "2018-04-05T17:31:00+05:30", "2018-04-05T17:31:00-00:00", "2024-02-29T00:00:00Z",
                           "2000-02-29T23:59:59Z", "2016-12-31T23:59:60Z"}) {
    CloudEvent e = minimal();
    e.set("time", good);
    EXPECT_EQ(validate_error(e), "") << good;
  }
  for (const char* bad : {"2018-04-05", "2018-04-05 17:31:00Z", "2018-04-05T17:31:00", "2023-02-29T00:00:00Z",
                          "1900-02-29T00:00:00Z", "2018-13-01T00:00:00Z", "2018-04-31T00:00:00Z",
                          "2018-04-05T24:00:00Z", "2018-04-05T17:60:00Z", "2018-04-05T17:31:61Z",
                          "2018-04-05T17:31:00.Z", "2018-04-05T17:31:00+0530", "2018-04-05T17:31:00+24:00",
                          "2018-04-05T17:31:00Zjunk", "18-04-05T17:31:00Z", "now"}) {
    CloudEvent e = minimal();
    e.set("time", bad);
    EXPECT_EQ(validate_error(e), std::string("attribute 'time' is not an RFC 3339 timestamp: '") + bad + "'") << bad;
  }
}

TEST(CloudEventValidate, OptionalCoreAttributes) {
  auto with = [](const char* k, const char* v) {
    CloudEvent e = minimal();
    e.set(k, v);
    return validate_error(e);
  };
  EXPECT_EQ(with("subject", ""), "attribute 'subject' must not be empty");
  EXPECT_EQ(with("id", ""), "attribute 'id' must not be empty");
  EXPECT_EQ(with("type", ""), "attribute 'type' must not be empty");
  EXPECT_EQ(with("source", ""), "attribute 'source' must not be empty");
  EXPECT_EQ(with("datacontenttype", "json"), "attribute 'datacontenttype' is not a media type (type/subtype): 'json'");
  EXPECT_EQ(with("datacontenttype", "text/"), "attribute 'datacontenttype' is not a media type (type/subtype): 'text/'");
  EXPECT_EQ(with("datacontenttype", "application/json; charset=utf-8"), "");
  EXPECT_EQ(with("datacontenttype", " text/plain"), "attribute 'datacontenttype' is not a media type (type/subtype): ' text/plain'");
  EXPECT_EQ(with("dataschema", "/relative/schema"), "attribute 'dataschema' is not an absolute URI: '/relative/schema'");
  EXPECT_EQ(with("dataschema", "urn:example:schema"), "");
  EXPECT_EQ(with("source", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"), "");
  EXPECT_EQ(with("source", "1-555-123-4567"), "");  // a URI-reference, as the spec's examples
}

TEST(CloudEventValidate, StringCharacters) {
  auto with = [](std::string v) {
    CloudEvent e = minimal();
    e.set("ext", std::move(v));
    return validate_error(e);
  };
  const std::string prefix = "attribute 'ext' has a character CloudEvents strings may not hold: ";
  EXPECT_EQ(with("tab\there"), prefix + "control character U+0009");
  EXPECT_EQ(with(std::string("nul\0", 4)), prefix + "control character U+0000");
  EXPECT_EQ(with("\x7F"), prefix + "control character U+007F");
  EXPECT_EQ(with("\xC2\x85"), prefix + "control character U+0085");  // C1
  EXPECT_EQ(with("\xEF\xBF\xBE"), prefix + "noncharacter U+FFFE");
  EXPECT_EQ(with("\xEF\xB7\x90"), prefix + "noncharacter U+FDD0");
  EXPECT_EQ(with("\xED\xA0\x80"), prefix + "invalid UTF-8 at byte 0");  // a lone surrogate
  EXPECT_EQ(with("ok \xF0\x9F\x98\x80 \xC2\xA0"), "");
}

TEST(CloudEventDetect, LooksLikeEvent) {
  EXPECT_TRUE(looks_like_event({{"Ce-SpecVersion", "1.0"}}));
  EXPECT_TRUE(looks_like_event({{"Content-Type", "application/cloudevents+json; charset=utf-8"}}));
  EXPECT_TRUE(looks_like_event({{"content-type", "Application/CloudEvents-Batch+JSON"}}));
  EXPECT_FALSE(looks_like_event({{"Content-Type", "application/json"}, {"ce-id", "1"}}));
  EXPECT_FALSE(looks_like_event({}));
}

TEST(CloudEventAccess, AttrAndSet) {
  CloudEvent e;
  EXPECT_EQ(e.attr("id"), "");
  e.set("id", "1");
  e.set("id", "2");
  EXPECT_EQ(e.attr("id"), "2");
  EXPECT_EQ(e.attributes.size(), 1u);
}

}  // namespace
}  // namespace mlfaas::events
