#include "metrics/text_format.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace mlfaas::metrics {

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    // fmt's "{}" is the shortest representation that round-trips ("0.1", "42", "1e+21"),
    // all of which Go's strconv.ParseFloat (used by Prometheus) accepts.
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

void append_help_escaped(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

void append_label_value_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

void append_label_set(std::string& out, const std::vector<std::string>& names,
                      const std::vector<std::string>& values, std::string_view extra_name,
                      std::string_view extra_value) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    append_label_value_escaped(out, values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    append_label_value_escaped(out, extra_value);
    out += '"';
  }
  out += '}';
}

void append_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_help_escaped(out, help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

static bool is_alpha_(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

void check_metric_name(std::string_view name) {
  bool ok = !name.empty() && (is_alpha_(name[0]) || name[0] == ':');
  for (char c : name) ok = ok && (is_alpha_(c) || is_digit(c) || c == ':');
  if (!ok) throw std::invalid_argument(fmt::format("invalid metric name \"{}\"", name));
}

void check_label_name(std::string_view name) {
  bool ok = !name.empty() && is_alpha_(name[0]);
  for (char c : name) ok = ok && (is_alpha_(c) || is_digit(c));
  if (!ok) throw std::invalid_argument(fmt::format("invalid label name \"{}\"", name));
  if (name.substr(0, 2) == "__")
    throw std::invalid_argument(fmt::format("label name \"{}\" is reserved (starts with __)", name));
}

}  // namespace mlfaas::metrics
