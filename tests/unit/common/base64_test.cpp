#include "common/base64.h"

#include <gtest/gtest.h>

using mlfaas::base64_decode;
using mlfaas::base64_encode;

TEST(Base64, RoundTripsAllLengths) {
  std::string s;
  for (int i = 0; i < 300; ++i) {
    auto enc = base64_encode(s);
    EXPECT_EQ(enc.size() % 4, 0u);
    auto dec = base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << i;
    EXPECT_EQ(*dec, s);
    s += static_cast<char>(i * 37);
  }
}

TEST(Base64, KnownVectors) {
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(*base64_decode("Zm9vYg=="), "foob");
}

TEST(Base64, AcceptsUrlSafeWhitespaceAndMissingPadding) {
  EXPECT_EQ(*base64_decode("Zm9v\nYg"), "foob");
  EXPECT_EQ(*base64_decode("-_8="), std::string("\xfb\xff", 2));
}

TEST(Base64, RejectsGarbage) {
  EXPECT_FALSE(base64_decode("Zm9v*g==").has_value());
  EXPECT_FALSE(base64_decode("Z").has_value());       // one sextet cannot encode a byte
  EXPECT_FALSE(base64_decode("Zg==Zg==").has_value());  // data after padding
  EXPECT_FALSE(base64_decode("Zg===").has_value());
}
