#include "support/subprocess.h"

#include <gtest/gtest.h>

#include "support/paths.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

#include "common/environment.h"
#include "support/http_call.h"
#include "support/paths.h"

namespace mlfaas::test {

Subprocess::Subprocess(std::vector<std::string> argv, std::map<std::string, std::string> env) {
  auto dir = make_temp_dir("proc");
  out_ = dir / "stdout";
  err_ = dir / "stderr";
  std::vector<std::string> envs = environment_with(env);
  // Everything the child needs is made before fork: tests fork while their own threads run (a
  // callback receiver, a load generator), and a child that allocates can deadlock forever on a
  // malloc lock one of those threads held at fork time. After fork: only async-signal-safe calls.
  std::vector<char*> av, ev;
  for (auto& a : argv) av.push_back(a.data());
  av.push_back(nullptr);
  for (auto& s : envs) ev.push_back(s.data());
  ev.push_back(nullptr);
  const int o = open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int e = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int n = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (o < 0 || e < 0 || n < 0) throw std::runtime_error("cannot open the output files in " + dir.string());

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(n, 0);  // dup2 clears close-on-exec on 0, 1 and 2
    dup2(o, 1);
    dup2(e, 2);
    execve(av[0], av.data(), ev.data());
    dprintf(2, "execve %s: %s\n", av[0], strerror(errno));
    _exit(127);
  }
  close(o);
  close(e);
  close(n);
}

Subprocess::~Subprocess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(5));
  }
}

void Subprocess::signal(int sig) {
  if (!status_) ::kill(pid_, sig);
}

static int decode_status(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return -1;
}

std::optional<int> Subprocess::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = decode_status(st);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

bool Subprocess::running() { return !wait(std::chrono::milliseconds(0)).has_value(); }

std::string Subprocess::stdout_text() const { return read_binary(out_); }
std::string Subprocess::stderr_text() const { return read_binary(err_); }

bool Subprocess::wait_http_ok(int port, const std::string& path, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return false;
    try {
      if (http_call(port, "GET", path).status == 200) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

RunResult run_mlfaas(std::vector<std::string> args, std::chrono::milliseconds timeout,
                     std::map<std::string, std::string> env) {
  args.insert(args.begin(), mlfaas_exe().string());
  Subprocess p(args, std::move(env));
  auto code = p.wait(timeout);
  EXPECT_TRUE(code) << "timed out; stderr:\n" << p.stderr_text();
  return {code.value_or(-1), p.stdout_text(), p.stderr_text()};
}

}  // namespace mlfaas::test
