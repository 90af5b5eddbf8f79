// The queue's wire form of an async call: round trips (binary bodies included) and a precise
// std::invalid_argument for every kind of malformed input.
#include "async/async_call.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <stdexcept>
#include <string>

using namespace mlfaas::async;
using namespace std::string_literals;

namespace {

AsyncCall sample() {
  AsyncCall c;
  c.call_id = "6f1c2a8e-2d3b-4c55-9a0e-0123456789ab";
  c.function = "classifier";
  c.method = "POST";
  c.target = "/classify?top_k=3&q=a%20b";
  c.callback_url = "http://127.0.0.1:9000/done";
  c.headers = {{"Content-Type", "image/jpeg"}, {"X-Trace", "a\"b\\c"}, {"X-Trace", "second"}};
  c.body = "hello";
  c.queued_at_ms = 1'795'000'000'123;
  return c;
}

void expect_same(const AsyncCall& a, const AsyncCall& b) {
  EXPECT_EQ(a.call_id, b.call_id);
  EXPECT_EQ(a.function, b.function);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.callback_url, b.callback_url);
  EXPECT_EQ(a.headers, b.headers);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.queued_at_ms, b.queued_at_ms);
}

// decode_call(wire) throws std::invalid_argument whose message contains `needle`.
void expect_invalid(const std::string& wire, const std::string& needle) {
  try {
    decode_call(wire);
    ADD_FAILURE() << "accepted: " << wire;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

const std::string kGood =
    R"({"call_id":"x","function":"f","method":"GET","target":"/","callback_url":"","headers":[],"queued_at_ms":1})";

// kGood with `field`'s value replaced by `value` (or the field removed when value is empty).
std::string with(const std::string& field, const std::string& value) {
  std::regex re("\"" + field + "\":(\"[^\"]*\"|\\[\\]|[0-9]+),?");
  std::string s = std::regex_replace(kGood, re, value.empty() ? "" : "\"" + field + "\":" + value + ",");
  if (s.size() > 1 && s[s.size() - 2] == ',') s.erase(s.size() - 2, 1);  // no trailing comma
  return s + "\n";
}

}  // namespace

TEST(AsyncCall, RoundTrip) {
  AsyncCall c = sample();
  expect_same(decode_call(encode_call(c)), c);
}

TEST(AsyncCall, BinaryBodyWithNulsAndNewlinesIsKeptByteForByte) {
  AsyncCall c = sample();
  c.body = "\0\n\r\n\xff\xd8\xff\xe0"s + std::string(1000, '\n') + "\0end"s;
  std::string wire = encode_call(c);
  EXPECT_EQ(wire.size(), wire.find('\n') + 1 + c.body.size());  // raw, no base64
  expect_same(decode_call(wire), c);
}

TEST(AsyncCall, EmptyBodyAndNoHeaders) {
  AsyncCall c = sample();
  c.body.clear();
  c.headers.clear();
  c.callback_url.clear();
  std::string wire = encode_call(c);
  EXPECT_EQ(wire.back(), '\n');
  expect_same(decode_call(wire), c);
}

TEST(AsyncCall, MetadataIsOneLineEvenWithNewlinesInFields) {
  AsyncCall c = sample();
  c.target = "/a\nb";
  c.headers = {{"X-A", "line1\nline2\r"}};
  std::string wire = encode_call(c);
  EXPECT_EQ(wire.find('\n'), wire.size() - c.body.size() - 1);
  expect_same(decode_call(wire), c);
}

TEST(AsyncCall, NonUtf8HeaderValueRoundTrips) {
  AsyncCall c = sample();
  c.headers = {{"X-Latin1", "caf\xe9"}};  // obs-text: legal in HTTP, not UTF-8
  expect_same(decode_call(encode_call(c)), c);
}

TEST(AsyncCall, UnknownFieldsAreIgnored) {
  std::string wire = kGood.substr(0, kGood.size() - 1) + R"(,"future":{"x":1}})" + "\nbody";
  AsyncCall c = decode_call(wire);
  EXPECT_EQ(c.function, "f");
  EXPECT_EQ(c.body, "body");
}

TEST(AsyncCall, WithHelperBuildsValidInput) {  // the helper itself: keeping a field keeps it valid
  EXPECT_NO_THROW(decode_call(kGood + "\n"));
  EXPECT_NO_THROW(decode_call(with("target", "\"/x\"")));
  EXPECT_EQ(decode_call(with("queued_at_ms", "42")).queued_at_ms, 42);
}

TEST(AsyncCall, MalformedInputs) {
  expect_invalid("", "no newline");
  expect_invalid(kGood, "no newline");
  expect_invalid("\nbody", "not JSON");
  expect_invalid("{\"call_id\":\n", "not JSON");
  expect_invalid("not json\nbody", "not JSON");
  expect_invalid("[1,2]\n", "must be a JSON object");
  expect_invalid("\"str\"\n", "must be a JSON object");
  for (const char* f : {"call_id", "function", "method", "target", "callback_url", "headers", "queued_at_ms"})
    expect_invalid(with(f, ""), std::string("missing field \"") + f + "\"");
  for (const char* f : {"call_id", "function", "method", "target", "callback_url"}) {
    expect_invalid(with(f, "1"), std::string("\"") + f + "\" must be a string");
    expect_invalid(with(f, "null"), std::string("\"") + f + "\" must be a string");
  }
  for (const char* f : {"call_id", "function", "method"}) expect_invalid(with(f, "\"\""), "must not be empty");
  expect_invalid(with("queued_at_ms", "\"1\""), "must be an integer");
  expect_invalid(with("queued_at_ms", "1.5"), "must be an integer");
  expect_invalid(with("queued_at_ms", "18446744073709551615"), "must be an integer");
  expect_invalid(with("headers", "{}"), "\"headers\" must be an array");
  expect_invalid(with("headers", "[\"a\"]"), "[name, value] pair");
  expect_invalid(with("headers", "[[\"a\"]]"), "[name, value] pair");
  expect_invalid(with("headers", "[[\"a\",\"b\",\"c\"]]"), "[name, value] pair");
  expect_invalid(with("headers", "[[\"a\",1]]"), "[name, value] pair");
  expect_invalid(with("headers", "[[1,\"b\"]]"), "[name, value] pair");
}

TEST(CallId, IsUuidV4AndUnique) {
  const std::regex uuid4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_call_id();
    EXPECT_TRUE(std::regex_match(id, uuid4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}
