#include "model/labels.h"

#include "common/strings.h"

namespace mlfaas::model {

std::vector<std::string> read_lines_file(const std::string& path) {
  std::string text = read_file(path);
  std::vector<std::string> out;
  for (auto line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace mlfaas::model
