#include "events/filter.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <optional>

#include "common/strings.h"

namespace mlfaas::events {

namespace json = boost::json;

namespace {

// Knative's attributes.LookupAttribute: core attributes always exist (unset reads as ""),
// extensions only when set. schemaurl is the 0.3 name of dataschema; datamediatype is
// datacontenttype without parameters, lower-case (sdk-go's DataMediaType).
std::optional<std::string> lookup(const CloudEvent& e, const std::string& name) {
  static const char* const core[] = {"specversion", "type", "source", "subject", "id", "time", "dataschema",
                                     "datacontenttype"};
  if (name == "schemaurl") return e.attr("dataschema");
  if (name == "datamediatype") {
    const std::string& ct = e.attr("datacontenttype");
    return to_lower(trim(std::string_view(ct).substr(0, ct.find(';'))));
  }
  if (std::find(std::begin(core), std::end(core), name) != std::end(core)) return e.attr(name);
  auto it = e.attributes.find(name);
  if (it == e.attributes.end()) return std::nullopt;
  return it->second;
}

bool valid_filter_name(std::string_view n) {
  if (n.empty() || n[0] < 'a' || n[0] > 'z') return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

std::string scalar_string(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return std::string(v.get_string());
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::int64: return std::to_string(v.get_int64());
    case json::kind::uint64: return std::to_string(v.get_uint64());
    default: return "";
  }
}

Filter parse_attribute_map(Filter::Kind kind, const char* dialect, const json::value& v, const std::string& field) {
  if (!v.is_object()) throw EventError(field + ": expected a map of attribute name to value");
  const auto& o = v.get_object();
  if (o.empty()) throw EventError(field + ": needs at least one attribute");
  std::vector<Filter> leaves;
  for (auto& [k, val] : o) {
    std::string name(k);
    if (!valid_filter_name(name))
      throw EventError(fmt::format("{}: invalid attribute name '{}': it must start with a letter and can only "
                                   "contain lower-case letters and digits", field, name));
    std::string s = scalar_string(val);
    if (s.empty())
      throw EventError(fmt::format("{}.{}: the {} value must be a non-empty string", field, name, dialect));
    leaves.push_back(Filter{kind, name, std::move(s), {}});
  }
  if (leaves.size() == 1) return std::move(leaves[0]);
  return Filter{Filter::Kind::all, "", "", std::move(leaves)};
}

std::vector<Filter> parse_list(const json::value& v, const std::string& field) {
  if (!v.is_array()) throw EventError(field + ": expected a list of filters");
  if (v.get_array().empty()) throw EventError(field + ": needs at least one filter");
  std::vector<Filter> out;
  for (size_t i = 0; i < v.get_array().size(); ++i)
    out.push_back(parse_filter(v.get_array()[i], fmt::format("{}[{}]", field, i)));
  return out;
}

}  // namespace

bool matches(const Filter& f, const CloudEvent& e) {
  switch (f.kind) {
    case Filter::Kind::exact:
    case Filter::Kind::prefix:
    case Filter::Kind::suffix: {
      auto v = lookup(e, f.attribute);
      if (!v) return false;
      if (f.kind == Filter::Kind::exact) return *v == f.value;
      if (f.kind == Filter::Kind::prefix) return v->starts_with(f.value);
      return v->ends_with(f.value);
    }
    case Filter::Kind::all:
      return std::all_of(f.children.begin(), f.children.end(), [&](const Filter& c) { return matches(c, e); });
    case Filter::Kind::any:
      return std::any_of(f.children.begin(), f.children.end(), [&](const Filter& c) { return matches(c, e); });
    case Filter::Kind::not_: return f.children.size() == 1 && !matches(f.children[0], e);
  }
  return false;
}

bool matches_all(const std::vector<Filter>& filters, const CloudEvent& e) {
  return std::all_of(filters.begin(), filters.end(), [&](const Filter& f) { return matches(f, e); });
}

bool matches_attributes(const std::map<std::string, std::string>& attributes, const CloudEvent& e) {
  for (auto& [name, want] : attributes) {
    auto v = lookup(e, name);
    if (!v || (want.empty() ? v->empty() : *v != want)) return false;
  }
  return true;
}

Filter parse_filter(const json::value& v, const std::string& field) {
  if (!v.is_object()) throw EventError(field + ": expected an object with one filter dialect");
  const auto& o = v.get_object();
  if (o.empty())
    throw EventError(field + ": no filter dialect (one of exact, prefix, suffix, all, any, not)");
  if (o.size() > 1) throw EventError(field + ": multiple dialects found, filters can have only one dialect set");
  const auto& [key, val] = *o.begin();
  const std::string dialect(key);
  const std::string sub = field + "." + dialect;
  if (dialect == "exact") return parse_attribute_map(Filter::Kind::exact, "exact", val, sub);
  if (dialect == "prefix") return parse_attribute_map(Filter::Kind::prefix, "prefix", val, sub);
  if (dialect == "suffix") return parse_attribute_map(Filter::Kind::suffix, "suffix", val, sub);
  if (dialect == "all") return Filter{Filter::Kind::all, "", "", parse_list(val, sub)};
  if (dialect == "any") return Filter{Filter::Kind::any, "", "", parse_list(val, sub)};
  if (dialect == "not") return Filter{Filter::Kind::not_, "", "", {parse_filter(val, sub)}};
  if (dialect == "cesql") throw EventError(sub + ": CloudEvents SQL filters are not supported");
  throw EventError(fmt::format("{}: unknown filter dialect '{}' (one of exact, prefix, suffix, all, any, not)", field,
                               dialect));
}

}  // namespace mlfaas::events
