#pragma once
// A helper server the platform runs beside itself (nats-server, prometheus): started with fork/exec
// into its own process group, stdin /dev/null, stdout+stderr appended to a log file, and
// PR_SET_PDEATHSIG(SIGTERM) so it never outlives us (the signal fires when the *thread* that
// started it ends: start it from main). Reaped with waitpid() on its own pid only.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace mlfaas {

class DaemonProcess {
 public:
  // Starts argv[0] (an absolute path). Throws std::runtime_error naming the program when it
  // cannot be started (not installed, not executable).
  DaemonProcess(std::vector<std::string> argv, std::filesystem::path log_file);
  ~DaemonProcess();  // stop()
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  pid_t pid() const { return pid_; }
  // If it has exited: how ("exited with code 1", "was killed by signal 9 (Killed)"); else "".
  std::string exited();
  // SIGTERM, SIGKILL after `grace`; reaped. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // The log's last `n` lines (for error messages).
  std::string last_log_lines(int n) const;
  const std::filesystem::path& log_file() const { return log_; }

 private:
  pid_t pid_ = -1;
  std::string program_;
  std::filesystem::path log_;
};

}  // namespace mlfaas
