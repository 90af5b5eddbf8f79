// Knative Trigger filters: each dialect, nesting, the legacy attributes form, and parse errors
// that name the field.
#include "events/filter.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace mlfaas::events {
namespace {

CloudEvent event() {
  CloudEvent e;
  e.set("specversion", "1.0");
  e.set("id", "1");
  e.set("source", "https://github.com/cloudevents/spec/pull/123");
  e.set("type", "com.github.pull_request.opened");
  e.set("subject", "mynewfile.jpg");
  e.set("myext", "my-extension-value");
  e.set("count", "5");  // an Integer extension, as its canonical string
  return e;
}

Filter parse(const char* json) { return parse_filter(boost::json::parse(json), "spec.filters[0]"); }

bool m(const char* json, const CloudEvent& e = event()) { return matches(parse(json), e); }

std::string parse_error(const char* json, const std::string& field = "spec.filters[1]") {
  try {
    parse_filter(boost::json::parse(json), field);
  } catch (const EventError& e) {
    return e.what();
  }
  return "";
}

TEST(Filter, Exact) {
  EXPECT_TRUE(m(R"({"exact": {"type": "com.github.pull_request.opened"}})"));
  EXPECT_FALSE(m(R"({"exact": {"type": "com.github.pull_request"}})"));
  EXPECT_FALSE(m(R"({"exact": {"type": "COM.GITHUB.PULL_REQUEST.OPENED"}})"));  // case-sensitive
  EXPECT_TRUE(m(R"({"exact": {"myext": "my-extension-value"}})"));               // extensions too
  EXPECT_TRUE(m(R"({"exact": {"count": "5"}})"));
  EXPECT_TRUE(m(R"({"exact": {"count": 5}})"));  // a number in the filter is its string
  EXPECT_FALSE(m(R"({"exact": {"missingext": "x"}})"));
  EXPECT_FALSE(m(R"({"exact": {"dataschema": "x"}})"));  // unset core attribute reads as ""
}

TEST(Filter, PrefixAndSuffix) {
  EXPECT_TRUE(m(R"({"prefix": {"type": "com.github."}})"));
  EXPECT_FALSE(m(R"({"prefix": {"type": "github"}})"));
  EXPECT_TRUE(m(R"({"suffix": {"subject": ".jpg"}})"));
  EXPECT_FALSE(m(R"({"suffix": {"subject": ".jpeg"}})"));
  EXPECT_TRUE(m(R"({"prefix": {"myext": "my-"}})"));
  EXPECT_TRUE(m(R"({"suffix": {"type": "com.github.pull_request.opened"}})"));  // the whole value
  // A missing attribute never matches: an extension is not found, an unset core attribute is "".
  EXPECT_FALSE(m(R"({"prefix": {"missingext": "a"}})"));
  EXPECT_FALSE(m(R"({"suffix": {"missingext": "a"}})"));
  CloudEvent no_subject = event();
  no_subject.attributes.erase("subject");
  EXPECT_FALSE(m(R"({"suffix": {"subject": ".jpg"}})", no_subject));
}

TEST(Filter, SeveralAttributesInOneDialectAreAnded) {
  // Knative removed the one-attribute limit (eventing#6477); the Subscriptions API has the same rule.
  Filter f = parse(R"({"exact": {"type": "com.github.pull_request.opened", "subject": "mynewfile.jpg"}})");
  EXPECT_EQ(f.kind, Filter::Kind::all);
  ASSERT_EQ(f.children.size(), 2u);
  EXPECT_EQ(f.children[0].kind, Filter::Kind::exact);
  EXPECT_TRUE(matches(f, event()));
  EXPECT_FALSE(m(R"({"exact": {"type": "com.github.pull_request.opened", "subject": "other.jpg"}})"));
  EXPECT_TRUE(m(R"({"prefix": {"type": "com.github.", "source": "https://github.com/cloudevents"}})"));
}

TEST(Filter, AllAnyNot) {
  EXPECT_TRUE(m(R"({"all": [{"exact": {"type": "com.github.pull_request.opened"}}, {"suffix": {"subject": ".jpg"}}]})"));
  EXPECT_FALSE(m(R"({"all": [{"exact": {"type": "com.github.pull_request.opened"}}, {"suffix": {"subject": ".png"}}]})"));
  EXPECT_TRUE(m(R"({"any": [{"exact": {"type": "nope"}}, {"suffix": {"subject": ".jpg"}}]})"));
  EXPECT_FALSE(m(R"({"any": [{"exact": {"type": "nope"}}, {"suffix": {"subject": ".png"}}]})"));
  EXPECT_FALSE(m(R"({"not": {"exact": {"type": "com.github.pull_request.opened"}}})"));
  EXPECT_TRUE(m(R"({"not": {"exact": {"type": "nope"}}})"));
  EXPECT_TRUE(m(R"({"not": {"exact": {"missingext": "x"}}})"));  // not of a missing attribute matches
}

TEST(Filter, Nesting) {
  const char* f = R"({"all": [
      {"any": [{"prefix": {"type": "com.github."}}, {"prefix": {"type": "com.gitlab."}}]},
      {"not": {"any": [{"suffix": {"subject": ".tmp"}}, {"exact": {"myext": "skip"}}]}},
      {"not": {"not": {"exact": {"count": "5"}}}}]})";
  EXPECT_TRUE(m(f));
  CloudEvent skip = event();
  skip.set("myext", "skip");
  EXPECT_FALSE(m(f, skip));
  CloudEvent gitlab = event();
  gitlab.set("type", "com.gitlab.push");
  EXPECT_TRUE(m(f, gitlab));
  CloudEvent other = event();
  other.set("type", "org.example.push");
  EXPECT_FALSE(m(f, other));
  CloudEvent tmp = event();
  tmp.set("subject", "x.tmp");
  EXPECT_FALSE(m(f, tmp));
}

TEST(Filter, EmptyCombinationsBuiltInCode) {
  EXPECT_TRUE(matches(Filter{Filter::Kind::all, "", "", {}}, event()));
  EXPECT_FALSE(matches(Filter{Filter::Kind::any, "", "", {}}, event()));
  EXPECT_FALSE(matches(Filter{Filter::Kind::not_, "", "", {}}, event()));  // malformed: no child
}

TEST(Filter, MatchesAllOfTheList) {
  EXPECT_TRUE(matches_all({}, event()));  // no filters: everything
  std::vector<Filter> fs = {parse(R"({"prefix": {"type": "com.github."}})"), parse(R"({"suffix": {"subject": ".jpg"}})")};
  EXPECT_TRUE(matches_all(fs, event()));
  fs.push_back(parse(R"({"exact": {"myext": "other"}})"));
  EXPECT_FALSE(matches_all(fs, event()));
}

TEST(Filter, LegacyAttributes) {
  EXPECT_TRUE(matches_attributes({}, event()));
  EXPECT_TRUE(matches_attributes({{"type", "com.github.pull_request.opened"}, {"myext", "my-extension-value"}}, event()));
  EXPECT_FALSE(matches_attributes({{"type", "com.github.pull_request.opened"}, {"myext", "other"}}, event()));
  EXPECT_FALSE(matches_attributes({{"missingext", "x"}}, event()));
  // "" is Knative's Any: any value, but the attribute must be set.
  EXPECT_TRUE(matches_attributes({{"type", ""}, {"myext", ""}, {"subject", ""}}, event()));
  EXPECT_FALSE(matches_attributes({{"missingext", ""}}, event()));
  EXPECT_FALSE(matches_attributes({{"dataschema", ""}}, event()));  // unset core attribute
  CloudEvent empty_ext = event();
  empty_ext.set("flag", "");
  EXPECT_FALSE(matches_attributes({{"flag", ""}}, empty_ext));
  EXPECT_TRUE(matches_attributes({{"source", "https://github.com/cloudevents/spec/pull/123"}}, event()));
}

TEST(Filter, SchemaurlIsTheOldNameOfDataschema) {
  CloudEvent e = event();
  e.set("dataschema", "https://example.com/s.json");
  EXPECT_TRUE(m(R"({"exact": {"schemaurl": "https://example.com/s.json"}})", e));
}

TEST(Filter, DatamediatypeIsTheContentTypeWithoutParameters) {
  CloudEvent e = event();
  e.set("datacontenttype", "Application/JSON; charset=utf-8");
  EXPECT_TRUE(m(R"({"exact": {"datamediatype": "application/json"}})", e));
  EXPECT_FALSE(m(R"({"exact": {"datacontenttype": "application/json"}})", e));
  EXPECT_TRUE(m(R"({"prefix": {"datacontenttype": "Application/JSON"}})", e));
}

TEST(FilterParse, ErrorsNameTheField) {
  EXPECT_EQ(parse_error(R"({"exact": {"type": "a"}, "prefix": {"type": "b"}})"),
            "spec.filters[1]: multiple dialects found, filters can have only one dialect set");
  EXPECT_EQ(parse_error("{}"), "spec.filters[1]: no filter dialect (one of exact, prefix, suffix, all, any, not)");
  EXPECT_EQ(parse_error("[]"), "spec.filters[1]: expected an object with one filter dialect");
  EXPECT_EQ(parse_error(R"({"cesql": "source LIKE '%commerce%'"})"),
            "spec.filters[1].cesql: CloudEvents SQL filters are not supported");
  EXPECT_EQ(parse_error(R"({"sql": "true"})"),
            "spec.filters[1]: unknown filter dialect 'sql' (one of exact, prefix, suffix, all, any, not)");
  EXPECT_EQ(parse_error(R"({"exact": {}})"), "spec.filters[1].exact: needs at least one attribute");
  EXPECT_EQ(parse_error(R"({"exact": "type"})"), "spec.filters[1].exact: expected a map of attribute name to value");
  EXPECT_EQ(parse_error(R"({"prefix": {"type": ""}})"), "spec.filters[1].prefix.type: the prefix value must be a non-empty string");
  EXPECT_EQ(parse_error(R"({"suffix": {"type": {"a": 1}}})"), "spec.filters[1].suffix.type: the suffix value must be a non-empty string");
  EXPECT_EQ(parse_error(R"({"exact": {"Type": "x"}})"),
            "spec.filters[1].exact: invalid attribute name 'Type': it must start with a letter and can only contain "
            "lower-case letters and digits");
  EXPECT_EQ(parse_error(R"({"exact": {"1abc": "x"}})"),
            "spec.filters[1].exact: invalid attribute name '1abc': it must start with a letter and can only contain "
            "lower-case letters and digits");
  EXPECT_EQ(parse_error(R"({"all": []})"), "spec.filters[1].all: needs at least one filter");
  EXPECT_EQ(parse_error(R"({"any": {"exact": {"type": "x"}}})"), "spec.filters[1].any: expected a list of filters");
  EXPECT_EQ(parse_error(R"({"all": [{"exact": {"type": "x"}}, {"any": [{"nope": 1}]}]})"),
            "spec.filters[1].all[1].any[0]: unknown filter dialect 'nope' (one of exact, prefix, suffix, all, any, not)");
  EXPECT_EQ(parse_error(R"({"not": {"cesql": "true"}})"), "spec.filters[1].not.cesql: CloudEvents SQL filters are not supported");
  EXPECT_EQ(parse_error(R"({"not": null})"), "spec.filters[1].not: expected an object with one filter dialect");
}

TEST(FilterParse, Shapes) {
  Filter f = parse(R"({"not": {"prefix": {"type": "a"}}})");
  EXPECT_EQ(f.kind, Filter::Kind::not_);
  ASSERT_EQ(f.children.size(), 1u);
  EXPECT_EQ(f.children[0].kind, Filter::Kind::prefix);
  EXPECT_EQ(f.children[0].attribute, "type");
  EXPECT_EQ(f.children[0].value, "a");
  Filter s = parse(R"({"exact": {"enabled": true}})");
  EXPECT_EQ(s.kind, Filter::Kind::exact);
  EXPECT_EQ(s.value, "true");
  Filter a = parse(R"({"any": [{"exact": {"type": "a"}}, {"exact": {"type": "b"}}, {"suffix": {"type": "c"}}]})");
  EXPECT_EQ(a.kind, Filter::Kind::any);
  EXPECT_EQ(a.children.size(), 3u);
}

}  // namespace
}  // namespace mlfaas::events
