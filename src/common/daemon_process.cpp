#include "common/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace mlfaas {

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

}  // namespace

DaemonProcess::DaemonProcess(std::vector<std::string> args, std::filesystem::path log_file)
    : program_(args.at(0)), log_(std::move(log_file)) {
  // Everything the child needs, prepared before fork (after it, only async-signal-safe calls).
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int log = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error(errno_text("cannot open " + log_.string()));
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int errpipe[2];  // carries errno from a failed exec; closed by a successful one
  if (devnull < 0 || pipe2(errpipe, O_CLOEXEC) != 0) {
    std::string e = errno_text(program_ + ": open/pipe");
    close(log);
    if (devnull >= 0) close(devnull);
    throw std::runtime_error(e);
  }
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    std::string e = errno_text(program_ + ": fork");
    close(log);
    close(devnull);
    close(errpipe[0]);
    close(errpipe[1]);
    throw std::runtime_error(e);
  }
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);  // we died between fork and prctl
    setpgid(0, 0);
    dup2(devnull, 0);
    dup2(log, 1);
    dup2(log, 2);
    if (errpipe[1] != 3) {
      dup2(errpipe[1], 3);
      fcntl(3, F_SETFD, FD_CLOEXEC);
    }
    close_range(4, ~0U, 0);  // none of our sockets or files cross exec
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argv[0], argv.data());
    int err = errno;
    ssize_t w = write(3, &err, sizeof err);
    (void)w;
    _exit(127);
  }
  setpgid(pid_, pid_);  // as the child does, whichever runs first
  close(log);
  close(devnull);
  close(errpipe[1]);
  int err = 0;
  ssize_t n;
  do n = read(errpipe[0], &err, sizeof err);
  while (n < 0 && errno == EINTR);
  close(errpipe[0]);
  if (n == sizeof err) {
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("cannot run " + program_ + ": " + std::strerror(err));
  }
}

DaemonProcess::~DaemonProcess() { stop(); }

std::string DaemonProcess::exited() {
  if (pid_ <= 0) return "is not running";
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return "";
  pid_ = -1;
  return describe_status(status);
}

void DaemonProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    pid_t r = waitpid(pid_, nullptr, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) break;  // ECHILD: already reaped by someone else
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

std::string DaemonProcess::last_log_lines(int n) const {
  std::ifstream f(log_, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  while (n-- > 0 && pos > 0) {
    size_t nl = text.rfind('\n', pos - 1);
    pos = nl == std::string::npos ? 0 : nl;
  }
  return text.substr(pos == 0 ? 0 : pos + 1);
}

}  // namespace mlfaas
