#include "bench/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "bench/preset.h"
#include "bench/units.h"
#include "common/strings.h"

namespace mlfaas::bench {
namespace {

using std::invalid_argument;

const char* const kDefaultDuration = "10s";

std::chrono::nanoseconds positive_duration(const std::string& text, const char* option) {
  auto d = parse_duration(text);
  if (d.count() <= 0) throw invalid_argument(fmt::format("{} must be longer than zero (got \"{}\")", option, text));
  return d;
}

http::Request make_request(const BenchPlan& plan, const Payload* payload) {
  http::Request req{plan.method, plan.target.target, 11};
  req.set(http::Field::host, plan.target.host_header);
  req.set(http::Field::user_agent, "mlfaas-bench");
  if (payload) {
    req.set(http::Field::content_type, payload->content_type);
    req.body() = payload->body;
  }
  for (auto& [name, value] : plan.headers) req.set(name, value);  // the user's headers win (Host too)
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

void resolve_load(const BenchOptions& o, BenchPlan& p) {
  if (o.connections < 1) throw invalid_argument("--connections must be at least 1");
  if (o.threads < 1) throw invalid_argument("--threads must be at least 1");
  p.connections = o.connections;
  p.threads = std::min(o.threads, o.connections);
  p.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(positive_duration(o.timeout, "--timeout"));
  if (p.timeout.count() < 1) throw invalid_argument("--timeout must be at least 1ms");
  p.max_requests = o.requests;
  if (!o.duration.empty())
    p.duration = positive_duration(o.duration, "--duration");
  else if (o.requests == 0)
    p.duration = parse_duration(kDefaultDuration);

  if (o.arrival == "constant")
    p.arrival = Arrival::constant;
  else if (o.arrival == "poisson")
    p.arrival = Arrival::poisson;
  else
    throw invalid_argument(fmt::format("--arrival must be constant or poisson (got \"{}\")", o.arrival));
  p.seed = o.seed;
  if (o.rate < 0) throw invalid_argument("--rate must be positive");
  p.rate = o.rate;

  p.mode = o.rate > 0 ? LoadMode::open : LoadMode::closed;
  if (!o.sweep.empty()) {
    if (o.rate > 0) throw invalid_argument("--sweep and --rate cannot be combined (a sweep varies concurrency)");
    if (o.requests) throw invalid_argument("--sweep and --requests cannot be combined (a sweep runs measurement windows)");
    p.sweep = parse_sweep(o.sweep);
    p.mode = LoadMode::sweep;
    p.window = positive_duration(o.window, "--window");
    if (!(o.stability > 0)) throw invalid_argument("--stability must be a positive percentage");
    p.stability_percent = o.stability;
    if (o.max_trials < 3) throw invalid_argument("--max-trials must be at least 3 (stability compares 3 windows)");
    p.max_trials = o.max_trials;
    p.duration.reset();
  }
}

void resolve_payloads(const BenchOptions& o, BenchPlan& p, const FileReader& read_file) {
  const Preset* preset = nullptr;
  if (!o.preset.empty()) {
    preset = find_preset(o.preset);
    if (!preset) {
      std::string names;
      for (auto& pr : presets()) names += fmt::format("{}{}", names.empty() ? "" : ", ", pr.name);
      throw invalid_argument(fmt::format("unknown --preset \"{}\" (known: {})", o.preset, names));
    }
    p.preset = o.preset;
    p.payload_options = preset->payload;
    if (!p.target.has_path) {
      p.target.target = std::string(preset->path);
      p.target.has_path = true;
    }
  }
  if (o.multipart_field && o.base64) throw invalid_argument("--multipart and --base64 cannot be combined");
  if (o.multipart_field) {
    p.payload_options.encoding = Encoding::multipart;
    if (!o.multipart_field->empty()) p.payload_options.field = *o.multipart_field;
  }
  if (o.base64) p.payload_options.encoding = Encoding::base64_json;

  std::vector<std::string> files = o.files;
  if (files.empty() && preset) files.push_back(std::string(preset->default_file));
  if (files.empty() && (o.multipart_field || o.base64))
    throw invalid_argument(fmt::format("--{} needs --file PATH", o.base64 ? "base64" : "multipart"));
  for (auto& f : files) {
    std::string bytes;
    try {
      bytes = read_file(f);
    } catch (const std::exception& e) {
      throw invalid_argument(fmt::format("cannot read --file \"{}\": {}", f, e.what()));
    }
    p.payloads.push_back(build_payload(f, bytes, p.payload_options));
  }
}

}  // namespace

const char* mode_name(LoadMode m) {
  switch (m) {
    case LoadMode::closed: return "closed";
    case LoadMode::open: return "open";
    case LoadMode::sweep: return "sweep";
  }
  return "?";
}

std::pair<std::string, std::string> parse_header(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || trim(text.substr(0, colon)).empty())
    throw invalid_argument(fmt::format("invalid --header \"{}\": expected Name:value", text));
  std::string_view name = trim(text.substr(0, colon));
  for (char c : name)
    if (c <= ' ' || c == 127) throw invalid_argument(fmt::format("invalid --header \"{}\": bad header name", text));
  return {std::string(name), std::string(trim(text.substr(colon + 1)))};
}

BenchPlan resolve_plan(const BenchOptions& o, const FileReader& read_file) {
  BenchPlan p;
  if (o.url.empty()) throw invalid_argument("a URL to benchmark is required, e.g. mlfaas bench http://127.0.0.1:8080/");
  p.target = parse_target(o.url);
  resolve_load(o, p);
  resolve_payloads(o, p, read_file);
  for (auto& h : o.headers) p.headers.push_back(parse_header(h));

  if (!o.method.empty()) {
    std::string upper = o.method;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    p.method = http::bhttp::string_to_verb(upper);
    if (p.method == http::Verb::unknown) throw invalid_argument(fmt::format("unknown --method \"{}\"", o.method));
  } else {
    p.method = p.payloads.empty() ? http::Verb::get : http::Verb::post;
  }

  if (p.payloads.empty())
    p.requests.push_back(make_request(p, nullptr));
  for (auto& payload : p.payloads) p.requests.push_back(make_request(p, &payload));

  if (!o.function.empty())
    p.function = o.function;
  else if (p.target.gateway_function)
    p.function = p.target.gateway_function;
  if (!o.gateway.empty()) {
    if (!p.function)
      throw invalid_argument("--gateway needs --function NAME (or a URL of the form http://gateway/function/NAME/...)");
    Target gw = parse_target(o.gateway);
    p.gateway_origin = gw.origin;
  } else if (p.function) {
    p.gateway_origin = p.target.origin;
  }

  if (!o.prometheus.empty()) {
    if (o.prometheus.rfind("http://", 0) != 0)
      throw invalid_argument("--prometheus must be an http:// URL, e.g. http://127.0.0.1:9090");
    p.prometheus = o.prometheus;
  }
  p.label = !o.label.empty() ? o.label : !o.preset.empty() ? o.preset : p.target.url;
  return p;
}

}  // namespace mlfaas::bench
