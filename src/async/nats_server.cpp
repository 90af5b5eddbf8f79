#include "async/nats_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mlfaas::async {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
namespace {


// A double-quoted string in nats-server's config syntax.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

void write_config(const NatsServerOptions& o, const fs::path& file) {
  std::ofstream f(file, std::ios::trunc);
  f << "# Written by mlfaas at every start of its nats-server; edits are overwritten.\n"
    << "listen: " << quoted("127.0.0.1:" + std::to_string(o.port == 0 ? -1 : o.port)) << "\n"
    << "max_payload: " << o.max_payload << "\n"
    // A client may have this much unsent data buffered in the server; must be >= max_payload.
    << "max_pending: " << std::max<int64_t>(o.max_payload * 2, 64 << 20) << "\n"
    << "ports_file_dir: " << quoted(o.dir.string()) << "\n"
    << "pid_file: " << quoted((o.dir / "nats-server.pid").string()) << "\n"
    << "jetstream {\n  store_dir: " << quoted(o.dir.string()) << "\n}\n";
  if (!f.flush()) throw std::runtime_error("cannot write " + file.string());
}

// The client port from the ports file the server writes once it listens ({"nats":["nats://h:p"]});
// 0 while the file is absent or half written.
int read_port(const fs::path& dir, pid_t pid) {
  const std::string suffix = fmt::format("_{}.ports", pid);  // (not "_" + to_string: GCC 12 -Wrestrict false positive)
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    std::ifstream f(e.path());
    std::stringstream ss;
    ss << f.rdbuf();
    boost::json::value v = boost::json::parse(ss.str(), ec);
    if (ec || !v.is_object()) return 0;
    const boost::json::value* nats = v.as_object().if_contains("nats");
    const boost::json::array* urls = nats ? nats->if_array() : nullptr;
    if (!urls || urls->empty() || !urls->front().is_string()) return 0;
    std::string url(urls->front().get_string());
    size_t colon = url.rfind(':');
    return colon == std::string::npos ? 0 : std::atoi(url.c_str() + colon + 1);
  }
  return 0;
}

// Whether a client can connect: the server greets every new connection with "INFO {...}".
bool greets(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    pollfd p{fd, POLLIN, 0};
    char buf[4];
    ok = poll(&p, 1, 1000) == 1 && recv(fd, buf, sizeof buf, MSG_WAITALL) == 4 && std::memcmp(buf, "INFO", 4) == 0;
  }
  close(fd);
  return ok;
}

}  // namespace

NatsServer::NatsServer(NatsServerOptions options) : opt_(std::move(options)) {
  if (opt_.dir.empty()) throw std::invalid_argument("nats-server: a directory is required");
  if (opt_.max_payload < 1 || opt_.max_payload > (64 << 20))
    throw std::invalid_argument("nats-server: max_payload must be in 1..64 MiB, got " + std::to_string(opt_.max_payload));
  if (opt_.port < 0 || opt_.port > 65535)
    throw std::invalid_argument("nats-server: port must be in 0..65535, got " + std::to_string(opt_.port));
  start();
}

NatsServer::~NatsServer() { stop(); }

namespace {

// A server of an earlier run still on this store (its parent was killed, and it is still shutting
// down): two servers must never write one JetStream store, so it is stopped first.
void stop_leftover(const fs::path& dir) {
  std::ifstream pf(dir / "nats-server.pid");
  pid_t pid = 0;
  if (!(pf >> pid) || pid <= 0) return;
  std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
  std::string cmdline((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
  if (cmdline.find("nats-server") == std::string::npos || cmdline.find(dir.string()) == std::string::npos) return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (kill(pid, 0) == 0) kill(pid, SIGKILL);
  for (int i = 0; i < 40 && kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace

void NatsServer::spawn() {
  fs::create_directories(opt_.dir);
  opt_.dir = fs::absolute(opt_.dir);
  stop_leftover(opt_.dir);
  // Ports files of servers that were killed: one of them could carry a recycled pid.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(opt_.dir, ec))
    if (e.path().extension() == ".ports") fs::remove(e.path(), ec);
  const fs::path conf = opt_.dir / "nats-server.conf";
  write_config(opt_, conf);
  proc_ = std::make_unique<DaemonProcess>(std::vector<std::string>{opt_.executable, "-c", conf.string()}, log_file());
}

void NatsServer::start() {
  spawn();
  const auto deadline = std::chrono::steady_clock::now() + opt_.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto how = proc_->exited(); !how.empty()) fail("nats-server " + how + " while starting");
    int port = read_port(opt_.dir, proc_->pid());
    if (port > 0 && greets(port)) {
      port_ = port;
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
  fail("nats-server did not accept clients within " + std::to_string(opt_.start_timeout.count()) + " ms");
}

std::string NatsServer::exited() { return proc_ ? proc_->exited() : "is not running"; }

void NatsServer::respawn() {
  if (proc_) proc_->stop(1s);  // whatever is left of the last one (also reaps it)
  opt_.port = port_;           // where the clients will look for it
  spawn();
}

bool NatsServer::listening() { return proc_ && proc_->pid() > 0 && greets(port_); }

std::string NatsServer::last_log_lines(int n) const { return proc_ ? proc_->last_log_lines(n) : ""; }

void NatsServer::fail(const std::string& why) {
  stop(1s);
  const std::string tail = proc_ ? proc_->last_log_lines(12) : "";
  throw std::runtime_error(why + "; last lines of " + log_file().string() + ":\n" + tail);
}

void NatsServer::stop(std::chrono::milliseconds grace) {
  if (proc_) proc_->stop(grace);
}

}  // namespace mlfaas::async
