// Function specs: Knative Service YAML, OpenFaaS stack.yml and API JSON. Any text is a list of
// specs or a SpecError naming the problem; never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "platform/function_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto specs = mlfaas::platform::parse_specs(text, "");
    for (auto& s : specs)
      if (s.name.empty() || s.command.empty()) __builtin_trap();
  } catch (const mlfaas::platform::SpecError&) {
  }
  return 0;
}
