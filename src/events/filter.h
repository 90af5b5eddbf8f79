#pragma once
// Knative Trigger filters, as the broker's filter handler evaluates them (knative/eventing
// pkg/eventfilter/attributes, pkg/eventfilter/subscriptionsapi) and the webhook validates them
// (pkg/apis/eventing/v1/trigger_validation.go). Attribute lookup is Knative's: a core attribute
// that is unset reads as "" (so `exact: {subject: x}` fails on an event without a subject), an
// extension that is unset is not found (every dialect fails on it). Values compare as the
// attribute's canonical string, case-sensitively; an integer extension 5 matches "5".
#include <map>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "events/cloudevent.h"

namespace mlfaas::events {

struct Filter {
  enum class Kind { exact, prefix, suffix, all, any, not_ } kind = Kind::exact;
  std::string attribute, value;  // exact/prefix/suffix
  std::vector<Filter> children;  // all/any: any number (all of none is true, any of none false); not_: exactly one
};

bool matches(const Filter& f, const CloudEvent& e);
// spec.filters: every filter must match (an empty list matches everything).
bool matches_all(const std::vector<Filter>& filters, const CloudEvent& e);
// Legacy spec.filter.attributes: every attribute equal; an empty value is Knative's "Any", which
// matches any value but still needs the attribute set (non-empty).
bool matches_attributes(const std::map<std::string, std::string>& attributes, const CloudEvent& e);

// From the JSON form of one `filters` entry: {"exact": {"type": "x"}} | {"prefix": {...}} |
// {"suffix": {...}} | {"all": [...]} | {"any": [...]} | {"not": {...}}. `field` names it in errors
// ("spec.filters[1].exact: ..."). Rules:
//   - one dialect per entry ("multiple dialects found", Knative's message);
//   - exact/prefix/suffix name at least one attribute; several are ANDed (an `all` of one filter
//     each), as Knative since eventing#6477 and the CloudEvents Subscriptions API; names are
//     [a-z][a-z0-9]* (Knative's webhook), values non-empty; a number or boolean value is taken as
//     its string (YAML writes `enabled: true`);
//   - all/any need at least one filter (Subscriptions API: MUST; Knative silently skips empty ones);
//   - cesql is refused as not supported, an unknown dialect as unknown.
// Throws EventError.
Filter parse_filter(const boost::json::value& v, const std::string& field);

}  // namespace mlfaas::events
