#include "http/query.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fmt/format.h>

namespace mlfaas::http {

std::optional<std::string> Query::get(std::string_view name) const {
  for (auto& [k, v] : params)
    if (k == name) return v;
  return std::nullopt;
}

Query parse_query(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed)
    throw BadRequestTarget(fmt::format("invalid request target \"{}\": {}", target, parsed.error().message()));
  const boost::urls::url_view& u = *parsed;
  Query q;
  q.path = u.path();
  for (auto p : u.params()) q.params.emplace_back(p.key, p.has_value ? p.value : std::string());
  return q;
}

}  // namespace mlfaas::http
