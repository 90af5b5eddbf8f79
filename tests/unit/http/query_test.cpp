#include <gtest/gtest.h>

#include "http/query.h"

namespace mlfaas::http {
namespace {

TEST(Query, SplitsPathAndDecodesParams) {
  auto q = parse_query("/models/my%20model/classify?top_k=5&label=golden+retriever&x=%26%3D&flag&top_k=7");
  EXPECT_EQ(q.path, "/models/my model/classify");
  EXPECT_EQ(q.get("top_k"), "5");  // first occurrence
  EXPECT_EQ(q.get("label"), "golden retriever");
  EXPECT_EQ(q.get("x"), "&=");
  EXPECT_EQ(q.get("flag"), "");
  EXPECT_TRUE(q.has("flag"));
  EXPECT_FALSE(q.get("missing").has_value());
  ASSERT_EQ(q.params.size(), 5u);
  EXPECT_EQ(q.params[4].second, "7");
}

TEST(Query, NoQuery) {
  auto q = parse_query("/healthz");
  EXPECT_EQ(q.path, "/healthz");
  EXPECT_TRUE(q.params.empty());
}

TEST(Query, RejectsInvalidTargets) {
  EXPECT_THROW(parse_query("http://example.com/x"), BadRequestTarget);
  EXPECT_THROW(parse_query("*"), BadRequestTarget);
  EXPECT_THROW(parse_query("/a b"), BadRequestTarget);
  EXPECT_THROW(parse_query("/bad%zzescape"), BadRequestTarget);
  EXPECT_THROW(parse_query(""), BadRequestTarget);
  try {
    parse_query("/a b");
  } catch (const BadRequestTarget& e) {
    EXPECT_EQ(std::string(e.what()).rfind("invalid request target \"/a b\": ", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace mlfaas::http
