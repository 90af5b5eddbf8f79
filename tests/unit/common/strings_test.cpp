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
