#include "platform/revision_name.h"

#include <fmt/format.h>

#include <algorithm>

#include "platform/function_spec.h"

namespace mlfaas::platform {

std::string revision_name(const std::string& service, int generation) {
  return fmt::format("{}-{:05d}", service, generation);
}

void validate_revision_name(const std::string& service, const std::string& name, const std::string& field) {
  if (name.rfind(service + "-", 0) != 0 || name.size() == service.size() + 1)
    throw SpecError(fmt::format("{}: '{}' must have prefix '{}-' (Knative names revisions after their service)",
                                field, name, service));
  const bool dns = name.size() <= 63 && std::all_of(name.begin(), name.end(), [](char c) {
                     return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                   }) && name.back() != '-';
  if (!dns) throw SpecError(fmt::format("{}: '{}' is not a DNS label (lower-case letters, digits and '-')", field, name));
}

}  // namespace mlfaas::platform
