#pragma once
// Splits a request target ("/classify?model=resnet&top_k=5") into its decoded path and query
// parameters, with Boost.URL's origin-form grammar (RFC 9112 section 3.2.1).
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlfaas::http {

struct BadRequestTarget : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct Query {
  std::string path;  // percent-decoded, e.g. "/models/my model"
  // Decoded ("+" is a space), in order of appearance; a key without "=" has an empty value.
  std::vector<std::pair<std::string, std::string>> params;

  // First value of `name`, if present.
  std::optional<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
};

// Throws BadRequestTarget ("invalid request target \"<target>\": <reason>") for anything that is
// not origin-form (absolute URLs, "*", bad percent-escapes, spaces, ...).
Query parse_query(std::string_view target);

}  // namespace mlfaas::http
