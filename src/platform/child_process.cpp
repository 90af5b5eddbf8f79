#include "platform/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/read.hpp>
#include <cerrno>
#include <cstring>
#include <array>
#include <stdexcept>

#include "common/environment.h"
#include "platform/orphan_guard.h"

namespace mlfaas::platform {

namespace asio = boost::asio;

ChildProcess::ChildProcess(asio::any_io_executor ex, const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env, LineHandler on_line)
    : on_line_(std::move(on_line)) {
  if (argv.empty()) throw std::runtime_error("empty command");
  // Environment: the platform's own, with the function's values on top.
  std::vector<std::string> env_strings = environment_with(env);
  std::vector<char*> av, ev;
  std::vector<std::string> args = argv;
  for (auto& a : args) av.push_back(a.data());
  av.push_back(nullptr);
  for (auto& s : env_strings) ev.push_back(s.data());
  ev.push_back(nullptr);

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  int errpipe[2];  // reports an exec failure back to us (closed on successful exec)
  if (pipe2(errpipe, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // Child: only async-signal-safe calls from here on.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the platform died between fork and prctl
    // Its own process group: Ctrl-C at the platform's terminal is the platform's to handle, and
    // stopping the replica signals the whole group (whatever it started too).
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    // Nothing else of the platform's crosses exec (its listening socket, client connections):
    // fd 3 becomes the exec-error pipe, everything above is closed.
    if (errpipe[1] != 3) {
      dup2(errpipe[1], 3);
      fcntl(3, F_SETFD, FD_CLOEXEC);
      errpipe[1] = 3;
    }
    close_range(4, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvpe(av[0], av.data(), ev.data());
    int err = errno;
    ssize_t w = write(errpipe[1], &err, sizeof err);
    (void)w;
    _exit(127);
  }
  setpgid(pid_, pid_);  // as the child does: whichever runs first, the group exists before we signal it
  close(pipefd[1]);
  close(errpipe[1]);
  int err = 0;
  ssize_t n = read(errpipe[0], &err, sizeof err);
  close(errpipe[0]);
  if (n == sizeof err) {
    close(pipefd[0]);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(err));
  }
  OrphanGuard::add(pid_);
  fcntl(pipefd[0], F_SETFL, fcntl(pipefd[0], F_GETFL) | O_NONBLOCK);  // drain_output() must never block
  out_ = std::make_shared<asio::posix::stream_descriptor>(ex, pipefd[0]);
  read_output();
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    // The group too: what the replica started dies with it, even after the replica itself exited.
    ::kill(-pid_, SIGKILL);
    if (!exited_) ::kill(pid_, SIGKILL);
    OrphanGuard::remove(pid_);
  }
  if (out_) {
    boost::system::error_code ec;
    out_->close(ec);
  }
}

void ChildProcess::signal(int sig) {
  if (pid_ <= 0) return;
  // The whole group: a replica started as `sh -c 'python3 fn.py'` is the shell and python.
  if (::kill(-pid_, sig) != 0 && !exited_) ::kill(pid_, sig);
}

// The partial line and the handler live in shared state so reads can outlive `this` safely (they
// stop with operation_aborted when the descriptor is closed).
struct ChildProcess::OutputState {
  std::array<char, 4096> buf;
  std::string partial;
  LineHandler handler;
  // Hands every complete line to the handler; with `flush`, the unterminated rest too.
  void feed(const char* data, size_t n, bool flush) {
    partial.append(data, n);
    size_t start = 0, nl;
    while ((nl = partial.find('\n', start)) != std::string::npos) {
      if (handler) handler(std::string_view(partial).substr(start, nl - start));
      start = nl + 1;
    }
    partial.erase(0, start);
    if (flush && !partial.empty()) {
      if (handler) handler(partial);
      partial.clear();
    }
  }
};

void ChildProcess::read_output() {
  st_ = std::make_shared<OutputState>();
  st_->handler = on_line_;
  auto st = st_;
  auto out = out_;
  auto next = std::make_shared<std::function<void()>>();
  *next = [st, out, next]() {
    out->async_read_some(asio::buffer(st->buf), [st, out, next](boost::system::error_code ec, size_t n) {
      st->feed(st->buf.data(), n, ec && ec != asio::error::operation_aborted);
      if (ec) {
        *next = nullptr;  // break the self-reference
        return;
      }
      (*next)();
    });
  };
  (*next)();
}

void ChildProcess::drain_output() {
  if (!out_ || !out_->is_open() || !st_) return;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(out_->native_handle(), buf, sizeof buf);
    if (n > 0) {
      st_->feed(buf, size_t(n), false);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EAGAIN (a grandchild still holds the pipe) or EOF
  }
  st_->feed(nullptr, 0, true);
}

ChildReaper::ChildReaper(asio::io_context& ioc) : sigchld_(ioc, SIGCHLD) { wait_next(); }

void ChildReaper::watch(pid_t pid, std::function<void(int)> on_exit) {
  watched_[pid] = std::move(on_exit);
  reap();  // it may have exited already
}

void ChildReaper::forget(pid_t pid) { watched_.erase(pid); }

void ChildReaper::wait_next() {
  sigchld_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    reap();
    wait_next();
  });
}

void ChildReaper::reap() {
  // Only our watched children: other code in the process may wait for its own (curl, tests).
  // Callbacks run after the scan, since they may watch new children or forget others.
  std::vector<std::pair<std::function<void(int)>, int>> done;
  for (auto it = watched_.begin(); it != watched_.end();) {
    int status = 0;
    pid_t r = waitpid(it->first, &status, WNOHANG);
    if (r == it->first) {
      done.emplace_back(std::move(it->second), status);
      it = watched_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [cb, status] : done)
    if (cb) cb(status);
}

std::string ChildReaper::describe(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int s = WTERMSIG(status);
    const char* name = sigabbrev_np(s);
    return "killed by signal " + std::to_string(s) + (name ? std::string(" (SIG") + name + ")" : "");
  }
  return "status " + std::to_string(status);
}

}  // namespace mlfaas::platform
