#pragma once
// Replica processes: spawn with an environment, capture stdout+stderr line by line, signal,
// and learn when they exit (one SIGCHLD handler for the whole platform). Children get
// PR_SET_PDEATHSIG so they never outlive the platform, and stdin is /dev/null (Knative contract:
// stdin reads EOF).
#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlfaas::platform {

class ChildProcess {
 public:
  using LineHandler = std::function<void(std::string_view line)>;
  // Throws std::runtime_error when the program cannot be started (the message names it).
  ChildProcess(boost::asio::any_io_executor ex, const std::vector<std::string>& argv,
               const std::map<std::string, std::string>& env, LineHandler on_line);
  ~ChildProcess();  // SIGKILLs a child that is still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  void mark_exited() { exited_ = true; }
  // Reads whatever output is already in the pipe now (after the child exited: all of its last
  // words, which the asynchronous reader may not have reached yet).
  void drain_output();
  bool exited() const { return exited_; }

 private:
  void read_output();
  struct OutputState;
  std::shared_ptr<OutputState> st_;
  pid_t pid_ = -1;
  bool exited_ = false;
  std::shared_ptr<boost::asio::posix::stream_descriptor> out_;
  LineHandler on_line_;
};

// Reaps children and calls the handler registered for each pid with its wait status.
class ChildReaper {
 public:
  explicit ChildReaper(boost::asio::io_context& ioc);
  void watch(pid_t pid, std::function<void(int status)> on_exit);
  void forget(pid_t pid);
  // "exit code 3" / "killed by signal 9 (SIGKILL)"
  static std::string describe(int status);

 private:
  void wait_next();
  void reap();
  boost::asio::signal_set sigchld_;
  std::map<pid_t, std::function<void(int)>> watched_;
};

}  // namespace mlfaas::platform
