// Spec files: Knative Service YAML (with traffic), OpenFaaS stack.yml and API JSON, and Knative
// Eventing documents (Broker, Trigger, SinkBinding, PingSource). Any text is a set of specs or a
// SpecError naming the problem; never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "platform/eventing_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto set = mlfaas::platform::parse_spec_set(text, "");
    for (auto& s : set.functions)
      if (s.name.empty() || s.command.empty()) __builtin_trap();
    for (auto& t : set.eventing.triggers)
      if (t.name.empty() || t.subscriber.empty()) __builtin_trap();
  } catch (const mlfaas::platform::SpecError&) {
  }
  return 0;
}
