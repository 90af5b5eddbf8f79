#pragma once
// `mlfaas bench` options as typed on the command line (BenchOptions), and the validated, resolved
// plan the run follows (BenchPlan): URL parsed, files read, request bodies built once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/payload.h"
#include "bench/schedule.h"
#include "bench/target.h"
#include "http/types.h"

namespace mlfaas::bench {

struct BenchOptions {
  std::string url;
  int connections = 10;
  int threads = 2;
  std::string duration;  // empty: 10s, or no limit with --requests
  uint64_t requests = 0;
  std::string timeout = "2s";
  double rate = 0;  // > 0: open loop
  std::string arrival = "constant";
  uint64_t seed = 1;
  std::string sweep;
  std::string window = "5s";
  double stability = 10;
  int max_trials = 10;
  std::vector<std::string> files;
  std::optional<std::string> multipart_field;  // --multipart [FIELD]
  bool base64 = false;
  std::vector<std::string> headers;  // "Name: value"
  std::string method;
  std::string preset;
  std::string gateway;
  std::string function;
  std::string label;
  std::string prometheus;  // --prometheus URL: record the server side during the run
};

enum class LoadMode { closed, open, sweep };
const char* mode_name(LoadMode m);

struct BenchPlan {
  Target target;
  LoadMode mode = LoadMode::closed;
  http::Verb method = http::Verb::get;
  std::vector<std::pair<std::string, std::string>> headers;  // as given by --header
  PayloadOptions payload_options;
  std::vector<Payload> payloads;         // one per file, rotated; empty: no body
  std::vector<http::Request> requests;   // prototypes, one per payload (or one without a body)
  int connections = 10;
  int threads = 2;
  std::optional<std::chrono::nanoseconds> duration;  // nullopt: until `max_requests`
  uint64_t max_requests = 0;                         // 0: no limit
  std::chrono::milliseconds timeout{2000};
  double rate = 0;
  Arrival arrival = Arrival::constant;
  uint64_t seed = 1;
  std::vector<int> sweep;  // concurrency steps
  std::chrono::nanoseconds window{std::chrono::seconds(5)};
  double stability_percent = 10;
  int max_trials = 10;
  std::optional<std::string> gateway_origin;  // poll {gateway}/system/function/{function}
  std::optional<std::string> function;
  std::optional<std::string> prometheus;  // query {prometheus}/api/v1/query during the run
  std::string preset;
  std::string label;  // name of the run in comparisons
};

using FileReader = std::function<std::string(const std::string& path)>;

// Validates and resolves; throws std::invalid_argument with a message for the user.
BenchPlan resolve_plan(const BenchOptions& options, const FileReader& read_file);

// "Name: value" or "Name:value"; throws std::invalid_argument.
std::pair<std::string, std::string> parse_header(std::string_view text);

}  // namespace mlfaas::bench
