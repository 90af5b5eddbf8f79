#pragma once
// Starts `mlfaas up` with the given spec files on a free loopback port, plus helpers to read a
// function's status and to wait for conditions.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "support/http_call.h"
#include "support/subprocess.h"

namespace mlfaas::test {

// The trivial function's binary (build/functions/hello/mlfaas-hello).
std::string hello_exe();
std::vector<std::string> split_lines(const std::string& s);
// A Knative Service running mlfaas-hello, with extra annotations ("key: value" lines) and spec lines.
std::string hello_service(const std::string& name, const std::string& annotations = "",
                          const std::string& spec_extra = "");

struct Platform {
  int port = 0;
  std::unique_ptr<Subprocess> proc;
  std::filesystem::path state_dir, spec_file;  // state_dir is empty when the test chose its own
  std::string gateway() const { return "http://127.0.0.1:" + std::to_string(port); }
  // /system/* calls carry the admin's credentials (from the local password file, as the CLI finds
  // them) unless the headers set Authorization themselves.
  HttpResult call(const std::string& method, const std::string& target, const std::string& body = {},
                  const Headers& headers = {}) const;
  boost::json::object status(const std::string& fn) const;
  // Polls `cond` every 20 ms until true or `timeout`.
  bool wait_for(const std::function<bool()>& cond, std::chrono::milliseconds timeout) const;
  int ready(const std::string& fn) const { return int(status(fn).at("readyReplicas").to_number<int64_t>()); }
};

// The state directory of every `mlfaas up` and CLI this test process starts: a fresh temporary
// one (set as XDG_STATE_HOME on first use), so tests never read or write the user's.
std::filesystem::path test_state_dir();

// Writes `spec` to a temp file and starts `mlfaas up --specs FILE` (plus extra args).
std::unique_ptr<Platform> start_platform(const std::string& spec, std::vector<std::string> extra = {});

// `mlfaas up` again after `old` stopped or was killed: the same port, spec file and state directory
// (plus extra args). Fails the test if it is not up within 20 s.
std::unique_ptr<Platform> restart_platform(const Platform& old, std::vector<std::string> extra = {});

// Runs `mlfaas ARGS...` and returns {exit code, stdout, stderr}.
struct CliRun {
  int code;
  std::string out, err;
};
CliRun run_cli(std::vector<std::string> args);

}  // namespace mlfaas::test
