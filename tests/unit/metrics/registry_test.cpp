// Rendering of each metric type, escaping, value formatting and registration rules.
#include <gtest/gtest.h>

#include <cmath>

#include "metrics/registry.h"

namespace mlfaas::metrics {
namespace {

TEST(Registry, RendersUnlabeledCounterFromZero) {
  Registry reg;
  auto& c = reg.counter("jobs_total", "Jobs done.");
  EXPECT_EQ(reg.render(), "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 0\n");
  c.get().inc();
  c.get().inc(2.5);
  c.get().inc(-7);  // ignored: counters never go down
  EXPECT_EQ(reg.render(), "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 3.5\n");
}

TEST(Registry, RendersLabeledSeriesSortedByValuesInDeclaredLabelOrder) {
  Registry reg;
  auto& f = reg.counter("http_requests_total", "Requests.", {"route", "code"});
  // Label order in with() does not matter; output uses the declared order.
  f.with({{"code", "200"}, {"route", "/b"}}).inc();
  f.with({{"route", "/a"}, {"code", "500"}}).inc(2);
  f.with({{"route", "/a"}, {"code", "200"}}).inc(3);
  EXPECT_EQ(reg.render(),
            "# HELP http_requests_total Requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{route=\"/a\",code=\"200\"} 3\n"
            "http_requests_total{route=\"/a\",code=\"500\"} 2\n"
            "http_requests_total{route=\"/b\",code=\"200\"} 1\n");
}

TEST(Registry, WithReturnsTheSameSeriesEveryTime) {
  Registry reg;
  auto& f = reg.gauge("g", "h", {"a"});
  Gauge* first = &f.with({{"a", "x"}});
  EXPECT_EQ(first, &f.with({{"a", "x"}}));
  EXPECT_NE(first, &f.with({{"a", "y"}}));
}

TEST(Registry, RendersGauge) {
  Registry reg;
  auto& g = reg.gauge("queue_depth", "Waiting jobs.", {"model"}).with({{"model", "mobilenet"}});
  g.set(10);
  g.inc(5);
  g.dec(2.5);
  EXPECT_EQ(reg.render(),
            "# HELP queue_depth Waiting jobs.\n# TYPE queue_depth gauge\n"
            "queue_depth{model=\"mobilenet\"} 12.5\n");
  g.set(-3);
  EXPECT_NE(reg.render().find("queue_depth{model=\"mobilenet\"} -3\n"), std::string::npos);
}

TEST(Registry, EscapesLabelValuesAndHelp) {
  Registry reg;
  reg.counter("c", "line one\nback\\slash \"quoted\"", {"path"}).with({{"path", "a\\b\"c\nd"}}).inc();
  EXPECT_EQ(reg.render(),
            "# HELP c line one\\nback\\\\slash \"quoted\"\n"  // HELP escapes \ and newline only
            "# TYPE c counter\n"
            "c{path=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(Registry, FormatsSpecialAndLargeValues) {
  Registry reg;
  auto& g = reg.gauge("v", "h", {"k"});
  g.with({{"k", "pinf"}}).set(HUGE_VAL);
  g.with({{"k", "ninf"}}).set(-HUGE_VAL);
  g.with({{"k", "nan"}}).set(std::nan(""));
  g.with({{"k", "tenth"}}).set(0.1);
  g.with({{"k", "big"}}).set(1e21);
  g.with({{"k", "tiny"}}).set(1.5e-7);
  g.with({{"k", "int"}}).set(123456789);
  auto text = reg.render();
  EXPECT_NE(text.find("v{k=\"pinf\"} +Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("v{k=\"ninf\"} -Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("v{k=\"nan\"} NaN\n"), std::string::npos) << text;
  EXPECT_NE(text.find("v{k=\"tenth\"} 0.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("v{k=\"big\"} 1e+21\n"), std::string::npos) << text;
  EXPECT_NE(text.find("v{k=\"tiny\"} 1.5e-07\n"), std::string::npos) << text;
  EXPECT_NE(text.find("v{k=\"int\"} 123456789\n"), std::string::npos) << text;
}

TEST(Registry, CallbackGaugesAreReadAtScrapeTime) {
  Registry reg;
  double depth = 1;
  reg.gauge_callback("depth", "Queue depth.", [&] { return depth; }, {{"queue", "a"}});
  reg.gauge_callback("depth", "Queue depth.", [&] { return depth * 10; }, {{"queue", "b"}});
  reg.counter_callback("cpu_seconds_total", "CPU.", [] { return 2.25; });
  EXPECT_EQ(reg.render(),
            "# HELP depth Queue depth.\n# TYPE depth gauge\ndepth{queue=\"a\"} 1\ndepth{queue=\"b\"} 10\n"
            "# HELP cpu_seconds_total CPU.\n# TYPE cpu_seconds_total counter\ncpu_seconds_total 2.25\n");
  depth = 4;
  EXPECT_NE(reg.render().find("depth{queue=\"b\"} 40\n"), std::string::npos);
  EXPECT_THROW(reg.gauge_callback("depth", "Queue depth.", [] { return 0.0; }, {{"queue", "a"}}),
               std::invalid_argument);
}

TEST(Registry, FamiliesRenderInRegistrationOrder) {
  Registry reg;
  reg.gauge("zzz", "z");
  reg.counter("aaa", "a");
  auto text = reg.render();
  EXPECT_LT(text.find("zzz"), text.find("aaa"));
}

TEST(Registry, SameRegistrationReturnsTheExistingFamily) {
  Registry reg;
  auto& a = reg.counter("c", "h", {"x"});
  auto& b = reg.counter("c", "h", {"x"});
  EXPECT_EQ(&a, &b);
  auto& h1 = reg.histogram("h", "h", {1, 2});
  EXPECT_EQ(&h1, &reg.histogram("h", "h", {1, 2}));
}

TEST(Registry, RejectsConflictingRegistrations) {
  Registry reg;
  reg.counter("c", "h", {"x"});
  EXPECT_THROW(reg.gauge("c", "h", {"x"}), std::invalid_argument);
  EXPECT_THROW(reg.counter("c", "h", {"y"}), std::invalid_argument);
  EXPECT_THROW(reg.gauge_callback("c", "h", [] { return 0.0; }), std::invalid_argument);
  reg.histogram("h", "h", {1, 2});
  EXPECT_THROW(reg.histogram("h", "h", {1, 3}), std::invalid_argument);
  try {
    reg.gauge("c", "h");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "metric c is already registered as a counter with labels [x]");
  }
}

TEST(Registry, RejectsInvalidNames) {
  Registry reg;
  EXPECT_THROW(reg.counter("1abc", "h"), std::invalid_argument);
  EXPECT_THROW(reg.counter("a-b", "h"), std::invalid_argument);
  EXPECT_THROW(reg.counter("", "h"), std::invalid_argument);
  EXPECT_NO_THROW(reg.counter("ns:sub_name_1", "h"));
  EXPECT_THROW(reg.counter("c1", "h", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(reg.counter("c2", "h", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(reg.counter("c3", "h", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(reg.histogram("h1", "h", {1}, {"le"}), std::invalid_argument);
}

TEST(Registry, WithRejectsWrongLabelNames) {
  Registry reg;
  auto& f = reg.counter("c", "h", {"route", "code"});
  EXPECT_THROW(f.with({{"route", "/"}}), std::invalid_argument);
  EXPECT_THROW(f.with({{"route", "/"}, {"status", "200"}}), std::invalid_argument);
  EXPECT_THROW(f.with({{"route", "/"}, {"route", "/x"}}), std::invalid_argument);
  EXPECT_THROW(f.get(), std::invalid_argument);
  try {
    f.with({{"route", "/"}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "metric c has labels [route,code] but was given [route]");
  }
}

TEST(Registry, ContentTypeIsTextFormat004) {
  EXPECT_EQ(kTextContentType, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace mlfaas::metrics
