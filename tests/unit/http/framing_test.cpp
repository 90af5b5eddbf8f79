#include "http/framing.h"

#include <gtest/gtest.h>

namespace mlfaas::http {
namespace {

Request make(unsigned version, std::initializer_list<std::pair<Field, const char*>> fields) {
  Request r{Verb::post, "/", version};
  for (auto& [f, v] : fields) r.insert(f, v);
  return r;
}

TEST(Framing, SoundRequestsPass) {
  EXPECT_FALSE(framing_error(make(11, {{Field::host, "x"}})));
  EXPECT_FALSE(framing_error(make(11, {{Field::host, "x"}, {Field::content_length, "5"}})));
  EXPECT_FALSE(framing_error(make(11, {{Field::host, "x"}, {Field::transfer_encoding, "chunked"}})));
  EXPECT_FALSE(framing_error(make(11, {{Field::host, "x"}, {Field::transfer_encoding, " Chunked "}})));
  EXPECT_FALSE(framing_error(make(10, {})));  // HTTP/1.0 needs no Host
}

TEST(Framing, Http11WithoutHostIs400) {
  auto e = framing_error(make(11, {}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, Status::bad_request);
}

TEST(Framing, UnknownCodingsAre501) {
  for (auto te : {"xchunked", "gzip", "gzip, chunked", "chunked, identity"}) {
    auto e = framing_error(make(11, {{Field::host, "x"}, {Field::transfer_encoding, te}}));
    ASSERT_TRUE(e) << te;
    EXPECT_EQ(e->status, Status::not_implemented) << te;
  }
}

TEST(Framing, AmbiguousFramingIs400) {
  for (auto te : {"", " , ", "chunked, chunked"}) {
    auto e = framing_error(make(11, {{Field::host, "x"}, {Field::transfer_encoding, te}}));
    ASSERT_TRUE(e) << "'" << te << "'";
    EXPECT_EQ(e->status, Status::bad_request) << te;
  }
  auto both = framing_error(make(11, {{Field::host, "x"}, {Field::transfer_encoding, "chunked"}, {Field::content_length, "3"}}));
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, Status::bad_request);
}

}  // namespace
}  // namespace mlfaas::http
