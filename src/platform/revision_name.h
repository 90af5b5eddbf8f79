#pragma once
// Revision names, one definition: Knative's `{service}-{generation:05d}` (react-example-00001), or
// the name the user chose in spec.template.metadata.name, which Knative requires to start with
// `{service}-`.
#include <string>

namespace mlfaas::platform {

std::string revision_name(const std::string& service, int generation);
// Throws SpecError ("{field}: ...") for a name Knative would refuse.
void validate_revision_name(const std::string& service, const std::string& name, const std::string& field);

}  // namespace mlfaas::platform
