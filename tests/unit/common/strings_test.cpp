#include "common/strings.h"

#include <gtest/gtest.h>

using namespace mlfaas;

TEST(Strings, TrimSplitCase) {
  EXPECT_EQ(trim("  a b \r\n"), "a b");
  EXPECT_EQ(split("a,b,,c", ',').size(), 4u);
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_TRUE(istarts_with("Multipart/Form-Data; x", "multipart/form-data"));
  EXPECT_EQ(to_lower("AbC"), "abc");
}

TEST(Strings, JsonEscape) {
  std::string out;
  append_json_escaped(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\u0001");
}

namespace mlfaas {
namespace {

TEST(Utf8, ValidTextPasses) {
  EXPECT_EQ(first_invalid_utf8(""), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("plain ascii"), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb6"), std::nullopt);  // é € 🐶
  EXPECT_EQ(first_invalid_utf8("\xf4\x8f\xbf\xbf"), std::nullopt);                           // U+10FFFF
}

TEST(Utf8, InvalidBytesAreFound) {
  EXPECT_EQ(first_invalid_utf8("ab\xff"), 2u);
  EXPECT_EQ(first_invalid_utf8("a\xc0\xaf"), 1u);          // overlong '/'
  EXPECT_EQ(first_invalid_utf8("\xe0\x80\xaf"), 0u);       // overlong
  EXPECT_EQ(first_invalid_utf8("\xed\xa0\x80"), 0u);       // a surrogate
  EXPECT_EQ(first_invalid_utf8("\xf4\x90\x80\x80"), 0u);   // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("ok\xe2\x82"), 2u);         // truncated
  EXPECT_EQ(first_invalid_utf8("\xc3("), 0u);              // bad continuation
  EXPECT_EQ(first_invalid_utf8("\x80"), 0u);               // lone continuation
}

}  // namespace
}  // namespace mlfaas
