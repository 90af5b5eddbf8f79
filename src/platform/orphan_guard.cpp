#include "platform/orphan_guard.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>

namespace mlfaas::platform {

namespace {

int g_pipe = -1;  // write end, in the platform
std::mutex g_mu;

// The watcher: no allocation, no threads, only system calls.
[[noreturn]] void watch(int rd, char* const* cleanup) {
  signal(SIGINT, SIG_IGN);  // Ctrl-C and SIGTERM are the platform's to handle; EOF is ours
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  static pid_t groups[1 << 16];
  size_t n = 0;
  int32_t msg;
  for (;;) {
    ssize_t r = read(rd, &msg, sizeof msg);
    if (r == sizeof msg) {
      if (msg > 0 && n < sizeof groups / sizeof groups[0]) {
        groups[n++] = msg;
      } else if (msg < 0) {
        for (size_t i = 0; i < n; ++i)
          if (groups[i] == -msg) {
            groups[i] = groups[--n];
            break;
          }
      }
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    break;  // EOF: the platform is gone
  }
  for (size_t i = 0; i < n; ++i) kill(-groups[i], SIGKILL);
  if (cleanup && cleanup[0]) {
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 0);
      dup2(devnull, 1);
      execvp(cleanup[0], cleanup);
      _exit(127);
    }
    if (pid > 0) waitpid(pid, nullptr, 0);
  }
  _exit(0);
}

void send(int32_t msg) {
  std::lock_guard lk(g_mu);
  if (g_pipe < 0) return;
  ssize_t w = write(g_pipe, &msg, sizeof msg);
  (void)w;  // a dead watcher only means no guard
}

}  // namespace

void OrphanGuard::start(const std::vector<std::string>& cleanup) {
  if (g_pipe >= 0) return;
  // Built before fork: the watcher allocates nothing.
  static std::vector<std::string> args;
  static std::vector<char*> argv;
  args = cleanup;
  argv.clear();
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return;
  }
  if (pid == 0) {
    close(fds[1]);
    // Nothing of the platform's but the pipe: the listening socket must not live on in us.
    for (int fd = 3; fd < 1024; ++fd)
      if (fd != fds[0]) close(fd);
    watch(fds[0], argv.data());
  }
  close(fds[0]);
  signal(SIGPIPE, SIG_IGN);  // a dead watcher must not kill the platform
  g_pipe = fds[1];
}

void OrphanGuard::add(pid_t pgid) { send(int32_t(pgid)); }
void OrphanGuard::remove(pid_t pgid) { send(-int32_t(pgid)); }
bool OrphanGuard::running() { return g_pipe >= 0; }

}  // namespace mlfaas::platform
