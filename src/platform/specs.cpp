#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "common/strings.h"
#include "platform/eventing_spec.h"
#include "platform/spec_fields.h"

namespace mlfaas::platform {

namespace fs = std::filesystem;

namespace {

// Limits on what a spec may hand to exec(): one environment string may not exceed the kernel's
// MAX_ARG_STRLEN (128 KiB), and all of them together must leave room in ARG_MAX.
constexpr size_t kMaxEnvEntryBytes = 64 << 10;
constexpr size_t kMaxEnvTotalBytes = 256 << 10;

void check_env(const FunctionSpec& f, const std::string& where) {
  size_t total = 0;
  for (auto& [k, v] : f.env) {
    const size_t n = k.size() + 1 + v.size();
    if (n > kMaxEnvEntryBytes)
      throw SpecError(fmt::format("{}: function '{}': environment variable {} is {} bytes; at most {} are allowed", where,
                                  f.name, k, n, kMaxEnvEntryBytes));
    total += n + 1;
  }
  if (total > kMaxEnvTotalBytes)
    throw SpecError(fmt::format("{}: function '{}': the environment is {} bytes; at most {} are allowed", where, f.name,
                                total, kMaxEnvTotalBytes));
}

void check_namespace(const FunctionSpec& f, const std::string& where) {
  // DNS-1123 label, as Kubernetes requires of namespaces (it is part of the function's host name).
  static const std::regex dns("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  if (!std::regex_match(f.namespace_, dns))
    throw SpecError(fmt::format("{}: function '{}': namespace '{}' must be a DNS label: lower-case letters, digits "
                                "and '-', at most 63 characters",
                                where, f.name, f.namespace_));
}

std::vector<FunctionSpec> parse_documents(const std::string& text, const std::string& source, EventingSpecs* eventing);

// yaml-cpp 0.7 (Debian 12) never returns from LoadAll when a flow-entry comma stands at a
// document's top level, outside any block mapping or sequence: `, a`, `"a", b`, `{a: 1}, b`,
// `&a,`, `K\n&a,` (found by fuzz/targets/specs.cpp; the reproducers are in fuzz/corpus/specs).
// Inside a block mapping it reports an error instead. A spec document is a mapping anyway, so each
// document must be JSON (it starts with `{` or `[`) or a block mapping (a key and ':', and no line
// indented less than that key); anything else is refused here, before yaml-cpp sees it.
void check_document_tops(std::string_view text, const std::string& where) {
  size_t doc = 1;
  std::string body;  // the current document, comment lines left out
  auto refuse = [&](const std::string& why) {
    throw SpecError(fmt::format("{}: document {}: {}; a spec is a YAML mapping or JSON", where, doc, why));
  };
  auto check = [&] {
    size_t i = 0;
    auto skip_space = [&] {
      while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) ++i;
    };
    skip_space();
    while (i < body.size() && (body[i] == '&' || body[i] == '!')) {  // an anchor or tag before the node
      // Its name ends at a blank or a flow indicator, as yaml-cpp scans it (`&a,` is `&a` then `,`).
      while (i < body.size() && std::string_view(" \t\r\n,[]{}").find(body[i]) == std::string_view::npos) ++i;
      skip_space();
    }
    if (i >= body.size()) {
      body.clear();
      return;
    }
    const char c = body[i];
    auto is_key_end = [&](size_t k) {  // ':' followed by a blank or the end
      return k < body.size() && body[k] == ':' &&
             (k + 1 == body.size() || body[k + 1] == ' ' || body[k + 1] == '\t' || body[k + 1] == '\r' || body[k + 1] == '\n');
    };
    if (c == '{' || c == '[') {
      boost::system::error_code ec;
      boost::json::parse(body, ec);
      if (ec) refuse(fmt::format("it starts with '{}' but is not JSON ({})", c, ec.message()));
    } else if (c == '"' || c == '\'') {
      size_t k = i + 1;
      for (; k < body.size(); ++k) {
        if (c == '"' && body[k] == '\\') ++k;
        else if (c == '\'' && body[k] == '\'' && k + 1 < body.size() && body[k + 1] == '\'') ++k;
        else if (body[k] == c) break;
      }
      ++k;
      while (k < body.size() && (body[k] == ' ' || body[k] == '\t')) ++k;
      if (!is_key_end(k)) refuse("its top level is a quoted scalar, not a mapping");
    } else if (std::string_view(",[]{}#&*!|>%@`?:-").find(c) != std::string_view::npos) {
      refuse(fmt::format("it starts with the indicator '{}'", c));
    } else {
      // A plain key: the first line must hold "key:" followed by a blank or its end.
      size_t k = i;
      while (k < body.size() && body[k] != '\n' && !is_key_end(k)) ++k;
      if (!is_key_end(k)) refuse("its first line is not a mapping key (key: value)");
    }
    if (c != '{' && c != '[') {
      // Below the top collection's indentation the document would be back at its top level,
      // where yaml-cpp hangs on a comma again: refuse such lines too.
      const size_t line_start = body.rfind('\n', i) == std::string::npos ? 0 : body.rfind('\n', i) + 1;
      const size_t top_col = i - line_start;
      size_t p = line_start;
      while (p < body.size()) {
        size_t e = body.find('\n', p);
        if (e == std::string::npos) e = body.size();
        size_t ind = p;
        while (ind < e && body[ind] == ' ') ++ind;
        if (ind < e && body[ind] != '\r' && ind - p < top_col)
          refuse("a line is indented less than its top-level mapping");
        p = e + 1;
      }
    }
    body.clear();
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    // "---", "..." and a directive ('%' in the first column, which yaml-cpp takes even mid-document)
    // end a document.
    if (line.starts_with("---") || line.starts_with("...") || line.starts_with("%")) {
      check();
      ++doc;
      if (line.starts_with("---")) line.remove_prefix(3);  // `--- value` starts the next document
      else continue;
    }
    auto first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] == '#') continue;  // a comment line
    body.append(line);
    body.push_back('\n');
  }
  check();
}

void check_name(const FunctionSpec& f) {
  // DNS-1035 label, as Knative and Kubernetes require: the name is also a host name label.
  static const std::regex dns("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  if (!std::regex_match(f.name, dns))
    throw SpecError(fmt::format("{}: name '{}' must be a DNS label: lower-case letters, digits and '-', starting "
                                "with a letter, at most 63 characters",
                                f.source.empty() ? f.format : f.source, f.name));
}

}  // namespace

namespace {

// The checks every spec text passes before yaml-cpp sees it, then every document. With `eventing`,
// Knative Eventing documents are read into it; without, they are skipped.
std::vector<FunctionSpec> parse_text(const std::string& text, const std::string& source, EventingSpecs* eventing) {
  const std::string where = source.empty() ? "spec" : source;
  // Everything a spec says is echoed back as JSON by the API: it must be text.
  if (auto bad = first_invalid_utf8(text))
    throw SpecError(fmt::format("{}: not valid UTF-8 (at byte {})", where, *bad));
  // YAML allows no control characters but tab, LF and CR (c-printable); yaml-cpp mis-scans them.
  for (size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F)
      throw SpecError(fmt::format("{}: control character 0x{:02x} at byte {}", where, unsigned(b), i));
  }
  check_document_tops(text, where);
  try {
    return parse_documents(text, source, eventing);
  } catch (const SpecError&) {
    throw;
  } catch (const YAML::Exception& e) {
    // A field of the wrong type (a string where a mapping belongs, ...): yaml-cpp names the place.
    throw SpecError(fmt::format("{}: a field has the wrong type (line {}, column {}): {}", where, e.mark.line + 1,
                                e.mark.column + 1, e.msg));
  }
}

}  // namespace

std::vector<FunctionSpec> parse_specs(const std::string& text, const std::string& source) {
  auto out = parse_text(text, source, nullptr);
  if (out.empty()) throw SpecError((source.empty() ? "spec" : source) + ": no functions found");
  return out;
}

SpecSet parse_spec_set(const std::string& text, const std::string& source) {
  SpecSet set;
  set.functions = parse_text(text, source, &set.eventing);
  if (set.functions.empty() && set.eventing.empty())
    throw SpecError((source.empty() ? "spec" : source) + ": no functions or eventing objects found");
  return set;
}

namespace {

std::vector<FunctionSpec> parse_documents(const std::string& text, const std::string& source, EventingSpecs* eventing) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw SpecError(fmt::format("{}: not valid YAML or JSON: {}", source.empty() ? "spec" : source, e.what()));
  }
  std::vector<FunctionSpec> out;
  const std::string where = source.empty() ? "spec" : source;
  for (size_t i = 0; i < docs.size(); ++i) {
    const YAML::Node& d = docs[i];
    if (!d || d.IsNull()) continue;
    if (!d.IsMap()) throw SpecError(fmt::format("{}: document {} is not a mapping", where, i + 1));
    if (is_eventing_document(d)) {
      if (eventing) parse_eventing_document(d, source, text, *eventing);
      continue;
    }
    if (d["apiVersion"] || d["kind"]) {
      std::string api = d["apiVersion"] ? d["apiVersion"].Scalar() : "";
      std::string kind = d["kind"] ? d["kind"].Scalar() : "";
      if (api != "serving.knative.dev/v1" || kind != "Service")
        throw SpecError(fmt::format("{}: apiVersion/kind {}/{} is not supported; expected serving.knative.dev/v1 Service "
                                    "(or eventing.knative.dev/v1 Broker, Trigger; sources.knative.dev/v1 SinkBinding, "
                                    "PingSource) or an OpenFaaS stack.yml",
                                    where, api, kind));
      out.push_back(parse_knative_service(d, source, text));
    } else if (d["functions"]) {
      auto fns = parse_openfaas_stack(d, source, text);
      out.insert(out.end(), fns.begin(), fns.end());
    } else if (d["service"]) {
      out.push_back(parse_openfaas_deployment(d, source, text));
    } else {
      throw SpecError(fmt::format("{}: not a Knative Service (apiVersion: serving.knative.dev/v1), an OpenFaaS stack "
                                  "file (functions:) or an OpenFaaS deployment (service:)",
                                  where));
    }
  }
  for (auto& f : out) {
    // No command at all is allowed with an image (a container runs it: Gateway::check_runnable).
    if ((f.command.empty() && f.no_command_error.empty()) || (!f.command.empty() && f.command[0].empty()))
      throw SpecError(fmt::format("{}: function '{}': the command is empty", where, f.name));
    check_name(f);
    check_namespace(f, where);
    check_env(f, where);
  }
  return out;
}

}  // namespace

namespace {

// Every *.yaml / *.yml / *.json of a directory, sorted, or the one file.
std::vector<std::pair<std::string, std::string>> read_spec_files(const std::string& path) {
  std::error_code ec;
  std::vector<std::pair<std::string, std::string>> out;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(path)) {
      auto ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw SpecError(path + ": no *.yaml, *.yml or *.json files");
    for (auto& f : files) {
      auto one = read_spec_files(f.string());
      out.insert(out.end(), one.begin(), one.end());
    }
    return out;
  }
  try {
    out.emplace_back(path, read_file(path));
  } catch (const std::exception& e) {
    throw SpecError(e.what());
  }
  return out;
}

}  // namespace

SpecSet load_spec_set(const std::string& path) {
  SpecSet all;
  for (auto& [file, text] : read_spec_files(path)) {
    auto one = parse_spec_set(text, file);
    all.functions.insert(all.functions.end(), one.functions.begin(), one.functions.end());
    auto& e = all.eventing;
    e.brokers.insert(e.brokers.end(), one.eventing.brokers.begin(), one.eventing.brokers.end());
    e.triggers.insert(e.triggers.end(), one.eventing.triggers.begin(), one.eventing.triggers.end());
    e.sink_bindings.insert(e.sink_bindings.end(), one.eventing.sink_bindings.begin(), one.eventing.sink_bindings.end());
    e.ping_sources.insert(e.ping_sources.end(), one.eventing.ping_sources.begin(), one.eventing.ping_sources.end());
  }
  return all;
}

std::vector<FunctionSpec> load_specs(const std::string& path) {
  std::vector<FunctionSpec> out;
  for (auto& [file, text] : read_spec_files(path)) {
    auto specs = parse_specs(text, file);
    out.insert(out.end(), specs.begin(), specs.end());
  }
  return out;
}

}  // namespace mlfaas::platform
