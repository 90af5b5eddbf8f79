#include "platform/spec_fields.h"

#include "common/cpus.h"
#include "common/memory_quantity.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

namespace mlfaas::platform {

namespace fs = std::filesystem;

void FieldReader::fail(const std::string& field, const std::string& msg) const { throw SpecError(message(field, msg)); }

std::string FieldReader::message(const std::string& field, const std::string& msg) const {
  return fmt::format("{}: {}: {}", where, field, msg);
}

std::string FieldReader::str(const YAML::Node& n, const std::string& field) const {
  if (!n.IsScalar()) fail(field, "expected a string");
  return n.Scalar();
}

int FieldReader::integer(const YAML::Node& n, const std::string& field, int lo, int hi) const {
  double v = number(n, field, lo, hi);
  if (v != std::floor(v)) fail(field, "expected a whole number, got '" + n.Scalar() + "'");
  return int(v);
}

double FieldReader::number(const YAML::Node& n, const std::string& field, double lo, double hi) const {
  if (!n.IsScalar()) fail(field, "expected a number");
  const std::string& s = n.Scalar();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v)) fail(field, "expected a number, got '" + s + "'");
  if (v < lo || v > hi) fail(field, fmt::format("must be between {} and {}, got {}", lo, hi, s));
  return v;
}

double FieldReader::cpu(const YAML::Node& n, const std::string& field) const {
  std::string s = str(n, field);
  auto v = parse_cpu_quantity(s);
  if (!v || *v <= 0 || *v > 1024) fail(field, "expected a CPU quantity such as 2, 1.5 or 500m, got '" + s + "'");
  return *v;
}

void FieldReader::resources(const YAML::Node& requests, const YAML::Node& limits, const std::string& field,
                                FunctionSpec& f) const {
  const std::string p = field.empty() ? "" : field + ".";
  if (requests && requests["cpu"]) f.cpu_request = cpu(requests["cpu"], p + "requests.cpu");
  if (limits && limits["cpu"]) f.cpu_limit = cpu(limits["cpu"], p + "limits.cpu");
  if (f.cpu_limit > 0 && f.cpu_request > f.cpu_limit)
    fail(p + "requests.cpu", fmt::format("{} is above the limit {}", f.cpu_request, f.cpu_limit));
  // Kubernetes: a limit without a request requests the limit.
  if (f.cpu_request == 0 && f.cpu_limit > 0) f.cpu_request = f.cpu_limit;
  if (limits && limits["memory"]) {
    std::string s = str(limits["memory"], p + "limits.memory");
    auto v = parse_memory_quantity(s);
    if (!v || *v < (4u << 20)) fail(p + "limits.memory", "expected a memory quantity of at least 4Mi such as 512Mi or 1Gi, got '" + s + "'");
    f.memory_limit = *v;
  }
}

bool FieldReader::boolean(const YAML::Node& n, const std::string& field) const {
  std::string s = str(n, field);
  if (s == "true" || s == "True" || s == "1") return true;
  if (s == "false" || s == "False" || s == "0") return false;
  fail(field, "expected true or false, got '" + s + "'");
}

std::chrono::milliseconds FieldReader::duration(const YAML::Node& n, const std::string& field) const {
  try {
    return parse_duration(str(n, field), field);
  } catch (const SpecError& e) {
    fail(field, e.what());
  }
}

std::vector<std::string> FieldReader::strings(const YAML::Node& n, const std::string& field) const {
  std::vector<std::string> out;
  if (n.IsScalar()) return split_command_line(n.Scalar());
  if (!n.IsSequence()) fail(field, "expected a list of strings");
  for (size_t i = 0; i < n.size(); ++i) out.push_back(str(n[i], fmt::format("{}[{}]", field, i)));
  return out;
}

std::map<std::string, std::string> FieldReader::string_map(const YAML::Node& n, const std::string& field) const {
  std::map<std::string, std::string> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsMap()) fail(field, "expected a mapping");
  for (auto it = n.begin(); it != n.end(); ++it) {
    std::string k = it->first.Scalar();
    out[k] = str(it->second, field + "." + k);
  }
  return out;
}

std::chrono::milliseconds parse_duration(const std::string& s, const std::string& field) {
  if (s.empty()) throw SpecError("empty duration");
  char* end = nullptr;
  double bare = std::strtod(s.c_str(), &end);
  if (*end == '\0') {  // a bare number means seconds
    if (bare < 0) throw SpecError("negative duration '" + s + "'");
    return std::chrono::milliseconds(int64_t(std::llround(bare * 1000)));
  }
  double total_ms = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (start == i) throw SpecError("'" + s + "' is not a duration (like 500ms, 30s, 1m30s, 2h)");
    double v = std::stod(s.substr(start, i - start));
    size_t ustart = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string unit = s.substr(ustart, i - ustart);
    double scale = unit == "ms" ? 1 : unit == "s" ? 1e3 : unit == "m" ? 60e3 : unit == "h" ? 3600e3
                 : unit == "us" || unit == "µs" ? 1e-3 : -1;
    if (scale < 0) throw SpecError("'" + s + "' has an unknown unit '" + unit + "' (use ms, s, m, h)");
    total_ms += v * scale;
  }
  (void)field;
  return std::chrono::milliseconds(int64_t(std::llround(total_ms)));
}

std::vector<std::string> split_command_line(const std::string& s) {
  // Shell-like: whitespace separates, single and double quotes group, backslash escapes.
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < s.size()) cur += s[++i];
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) out.push_back(std::move(cur)), cur.clear(), in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote) throw SpecError("unterminated quote in command '" + s + "'");
  if (in_word) out.push_back(cur);
  return out;
}

std::vector<std::string> resolve_command(std::vector<std::string> argv, const std::string& source) {
  if (argv.empty()) return argv;
  std::string& exe = argv[0];
  std::error_code ec;
  if (fs::path(exe).filename() == "mlfaas" && !fs::exists(exe, ec)) {
    // The container image has /usr/local/bin/mlfaas; here it is whatever binary is running.
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) exe.assign(buf, size_t(n));
  } else if (exe.find('/') != std::string::npos && fs::path(exe).is_relative() && !source.empty()) {
    exe = (fs::absolute(source).parent_path() / exe).lexically_normal().string();
  }
  return argv;
}

}  // namespace mlfaas::platform
