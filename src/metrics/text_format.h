#pragma once
// Pieces of the Prometheus text exposition format 0.0.4 shared by all metric families.
// https://prometheus.io/docs/instrumenting/exposition_formats/
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlfaas::metrics {

// What a /metrics endpoint sends as Content-Type.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// A sample value the way Prometheus parses it: shortest round-trip decimal, "+Inf", "-Inf", "NaN".
void append_value(std::string& out, double v);
// HELP text escaping: backslash and newline.
void append_help_escaped(std::string& out, std::string_view help);
// Label value escaping: backslash, double quote and newline.
void append_label_value_escaped(std::string& out, std::string_view value);

// `{a="x",b="y"}` (nothing when both lists are empty); names and values are parallel lists.
// `extra_name`/`extra_value`, when extra_name is non-empty, are appended last (used for `le`).
void append_label_set(std::string& out, const std::vector<std::string>& names,
                      const std::vector<std::string>& values, std::string_view extra_name = {},
                      std::string_view extra_value = {});

// `# HELP name help\n# TYPE name type\n`.
void append_header(std::string& out, std::string_view name, std::string_view help, std::string_view type);

// Name validation per the data model; both throw std::invalid_argument naming the culprit.
void check_metric_name(std::string_view name);
void check_label_name(std::string_view name);

}  // namespace mlfaas::metrics
