#include "common/environment.h"

extern char** environ;

namespace mlfaas {

std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> full;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) full[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (auto& [k, v] : overrides) full[k] = v;
  std::vector<std::string> out;
  out.reserve(full.size());
  for (auto& [k, v] : full) out.push_back(k + "=" + v);
  return out;
}

}  // namespace mlfaas
