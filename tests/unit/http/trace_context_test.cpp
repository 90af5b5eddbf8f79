// W3C trace context parsing and continuation.
#include "http/trace_context.h"

#include <gtest/gtest.h>

namespace mlfaas::http {
namespace {

TEST(TraceContext, ParsesTheSpecsExample) {
  auto t = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(t->flags, "01");
  EXPECT_EQ(t->header(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST(TraceContext, IgnoresWhatTheSpecSaysToIgnore) {
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",            // too short
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",             // zero trace
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",             // zero span
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",             // upper case
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",             // version ff
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",       // 00 is exact
                          "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"})
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  // A later version may carry more after its fields.
  EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes"));
}

TEST(TraceContext, ChildrenKeepTheTraceWithANewSpan) {
  auto root = start_trace();
  EXPECT_TRUE(parse_traceparent(root.header()));
  auto child = root.child();
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_NE(child.span_id, root.span_id);
  EXPECT_EQ(child.span_id.size(), 16u);
  EXPECT_NE(start_trace().trace_id, root.trace_id);
}

}  // namespace
}  // namespace mlfaas::http
