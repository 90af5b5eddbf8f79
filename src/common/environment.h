#pragma once
// The environment a child process gets: this process's own, with `overrides` on top, as the
// "KEY=VALUE" strings execve() wants (sorted by key, each key once).
#include <map>
#include <string>
#include <vector>

namespace mlfaas {

std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides);

}  // namespace mlfaas
