#include "support/promtool.h"

#include <cstdio>
#include <cstdlib>

#include "support/paths.h"

namespace mlfaas::test {

bool have_promtool() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

std::optional<std::vector<std::string>> promtool_check_metrics(const std::string& exposition) {
  auto file = make_temp_dir("promtool") / "metrics.txt";
  write_binary(file, exposition);
  FILE* p = popen(("promtool check metrics < '" + file.string() + "' 2>&1").c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    std::string line = out.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

bool borrowed_name_finding(const std::string& line) {
  for (const char* prefix : {"gateway_function_invocation_started counter", "gateway_service_count non-histogram",
                             "revision_request_count ", "nv_inference_"})
    if (line.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace mlfaas::test
