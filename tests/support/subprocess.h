#pragma once
// A child process for integration tests: real binaries on loopback ports, output kept in files.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace mlfaas::test {

class Subprocess {
 public:
  // Starts argv[0] with argv; `env` entries are added to (or override) the parent's environment.
  Subprocess(std::vector<std::string> argv, std::map<std::string, std::string> env = {});
  ~Subprocess();  // SIGKILLs the child if it is still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Exit code (or 128+signal) once the child ends, nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  std::string stdout_text() const;
  std::string stderr_text() const;
  // Polls GET path on 127.0.0.1:port until it answers 200; false on timeout or child exit.
  bool wait_http_ok(int port, const std::string& path, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path out_, err_;
};

// A TCP port that was free a moment ago on 127.0.0.1.
int free_port();

// The mlfaas binary run to its end: exit code (-1 and a test failure if it outlived `timeout`) and output.
struct RunResult {
  int code;
  std::string out, err;
};
RunResult run_mlfaas(std::vector<std::string> args, std::chrono::milliseconds timeout,
                     std::map<std::string, std::string> env = {});

}  // namespace mlfaas::test
