#pragma once
// A private nats-server child process with JetStream on file storage: the durable queue under
// mlfaas' async invocations, for a single node with nothing to install but Debian's nats-server.
//
// Everything lives in one directory: the generated config (nats-server.conf), the JetStream store
// (DIR/jetstream), the server's output (nats-server.log, appended across runs) and the ports
// file through which we learn the port the OS picked (written by the server once it listens,
// named nats-server_<pid>.ports, so a stale file of an earlier run is never read). Listens on
// 127.0.0.1 only, without authentication: every local user may connect, which is what a
// single-user node needs; a shared machine would want an account.
//
// The child gets PR_SET_PDEATHSIG(SIGTERM) and its own process group, so it never outlives us and
// a Ctrl-C at our terminal is ours to handle. Caveat of PDEATHSIG: it fires when the *thread*
// that started the server ends, so construct NatsServer on a thread that lives as long as it
// (main). The child is reaped with waitpid() on its own pid only. Not thread-safe: one owner.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <memory>

#include "common/daemon_process.h"

namespace mlfaas::async {

struct NatsServerOptions {
  std::filesystem::path dir;                     // created if missing
  std::string executable = "/usr/sbin/nats-server";
  int64_t max_payload = 8 << 20;                 // bytes per message (the server default is 1 MiB)
  int port = 0;                                  // 0: the OS picks one (see url())
  std::chrono::milliseconds start_timeout{10'000};
};

class NatsServer {
 public:
  // Starts the server and waits until it accepts clients. Throws std::runtime_error (naming the
  // log file and quoting its last lines) if it exits or does not listen within start_timeout.
  explicit NatsServer(NatsServerOptions options);
  ~NatsServer();  // stop()
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  pid_t pid() const { return proc_ ? proc_->pid() : -1; }
  const std::filesystem::path& dir() const { return opt_.dir; }
  std::filesystem::path log_file() const { return opt_.dir / "nats-server.log"; }
  // SIGTERM (the server flushes JetStream state and exits), SIGKILL after `grace`; then reaps it.
  // Idempotent; also fine when the process already died.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  bool running() const { return proc_ && proc_->pid() > 0; }

  // Supervision (mlfaas up keeps its queue running): how the server ended ("exited with code 1",
  // "was killed by signal Killed"), or "" while it runs.
  std::string exited();
  // Starts it again on the same directory and port, so clients reconnect to the URL they know and
  // JetStream recovers its store. Returns once it is forked (listening() says when it accepts
  // clients); throws when it cannot be started.
  void respawn();
  bool listening();
  std::string last_log_lines(int n) const;

 private:
  void spawn();  // config, then fork/exec; does not wait
  void start();  // spawn() and wait until it accepts clients
  [[noreturn]] void fail(const std::string& why);
  NatsServerOptions opt_;
  std::unique_ptr<DaemonProcess> proc_;
  int port_ = 0;
};

}  // namespace mlfaas::async
