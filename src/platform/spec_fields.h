#pragma once
// Field readers shared by the spec parsers: each error names the file, the function and the path.
#include <yaml-cpp/yaml.h>

#include <string>

#include "platform/function_spec.h"

namespace mlfaas::platform {

struct FieldReader {
  std::string where;  // "file: service 'x'"

  [[noreturn]] void fail(const std::string& field, const std::string& msg) const;
  std::string message(const std::string& field, const std::string& msg) const;  // what fail() throws
  std::string str(const YAML::Node& n, const std::string& field) const;  // scalar as string
  int integer(const YAML::Node& n, const std::string& field, int lo, int hi) const;
  double number(const YAML::Node& n, const std::string& field, double lo, double hi) const;
  bool boolean(const YAML::Node& n, const std::string& field) const;
  std::chrono::milliseconds duration(const YAML::Node& n, const std::string& field) const;
  std::vector<std::string> strings(const YAML::Node& n, const std::string& field) const;  // list or one string
  std::map<std::string, std::string> string_map(const YAML::Node& n, const std::string& field) const;
  // A Kubernetes CPU quantity ("2", "1.5", "500m") in cores.
  double cpu(const YAML::Node& n, const std::string& field) const;
  // resources.requests.cpu / resources.limits.cpu (Knative; OpenFaaS's requests/limits have the same
  // shape) into f.cpu_request / f.cpu_limit (a limit without a request requests the limit), and
  // limits.memory into f.memory_limit.
  void resources(const YAML::Node& requests, const YAML::Node& limits, const std::string& field,
                     FunctionSpec& f) const;
};

// "mlfaas serve --port 1" or ["mlfaas", "serve"] -> argv; command[0] "mlfaas" becomes this binary
// when no such file exists (so one spec works here and in the container image), and a relative
// path is taken relative to the spec's directory.
std::vector<std::string> resolve_command(std::vector<std::string> argv, const std::string& source);
std::vector<std::string> split_command_line(const std::string& s);

// Parsers, one per format (the top-level node of one document).
FunctionSpec parse_knative_service(const YAML::Node& doc, const std::string& source, const std::string& text);
std::vector<FunctionSpec> parse_openfaas_stack(const YAML::Node& doc, const std::string& source, const std::string& text);
FunctionSpec parse_openfaas_deployment(const YAML::Node& doc, const std::string& source, const std::string& text);

}  // namespace mlfaas::platform
