#pragma once
// Shared by the commands that run loads (bench, study): the command line as typed, for reports and
// JSON, and Ctrl-C handling that stops the load but still writes everything.
#include <atomic>
#include <csignal>
#include <string>

namespace mlfaas::cli {

// /proc/self/cmdline, shell-quoted where needed.
std::string command_line();

// Set by SIGINT while an InterruptScope is alive.
extern std::atomic<bool> g_interrupted;

// SIGINT sets g_interrupted (and is reset to the old handler, so a second Ctrl-C kills as usual).
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  struct sigaction old_ {};
};

}  // namespace mlfaas::cli
