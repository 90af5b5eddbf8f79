// A trivial function for the platform's tests and cold-start benchmark: serves HTTP/1.1 on $PORT
// (the Knative runtime contract) with plain POSIX sockets, so it starts in about a millisecond.
//   GET|POST /...            -> 200 "hello from <K_REVISION> pid <pid>\n"
//   ?sleep_ms=N              -> waits N ms first (to make requests overlap)
//   ?status=N                -> answers with status N
//   ?headers=1               -> the body is the request's head (to check forwarded headers)
//   ?deafen_ms=N             -> after answering, closes its listener and idle connections for N ms
//                               while staying alive (a replica that refuses connections)
//   /healthz                 -> 200
// One thread per connection, keep-alive; SIGTERM stops accepting and exits 0 once idle.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

std::atomic<int> active{0};
std::atomic<bool> stopping{false};
std::atomic<int> deafen_ms{0};      // requested by ?deafen_ms, taken by the accept loop
std::atomic<bool> deaf{false};      // listener closed: idle connections close too
int listen_fd = -1;

std::string query_value(const std::string& target, const std::string& key) {
  auto q = target.find('?');
  if (q == std::string::npos) return "";
  size_t pos = q + 1;
  while (pos < target.size()) {
    size_t amp = target.find('&', pos);
    std::string kv = target.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (kv.rfind(key + "=", 0) == 0) return kv.substr(key.size() + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return "";
}

void serve(int fd) {
  ++active;
  std::string buf;
  char tmp[65536];
  for (;;) {
    size_t hdr_end;
    while ((hdr_end = buf.find("\r\n\r\n")) == std::string::npos) {
      // Between requests, look at `stopping` every 100 ms: an idle keep-alive connection must not
      // keep the process alive after SIGTERM.
      if (buf.empty()) {
        pollfd p{fd, POLLIN, 0};
        int ready = poll(&p, 1, 100);
        if (ready == 0) {
          if (stopping || deaf) goto done;
          continue;
        }
      }
      ssize_t n = read(fd, tmp, sizeof tmp);
      if (n <= 0) goto done;
      buf.append(tmp, size_t(n));
    }
    std::string head = buf.substr(0, hdr_end);
    size_t content_length = 0;
    for (const char* name : {"\r\nContent-Length:", "\r\ncontent-length:"}) {
      auto p = head.find(name);
      if (p != std::string::npos) content_length = std::strtoul(head.c_str() + p + std::strlen(name), nullptr, 10);
    }
    while (buf.size() < hdr_end + 4 + content_length) {
      ssize_t n = read(fd, tmp, sizeof tmp);
      if (n <= 0) goto done;
      buf.append(tmp, size_t(n));
    }
    std::string target = head.substr(head.find(' ') + 1);
    target = target.substr(0, target.find(' '));
    bool close_after = head.find("\r\nConnection: close") != std::string::npos || stopping;
    buf.erase(0, hdr_end + 4 + content_length);

    int sleep_ms = std::atoi(query_value(target, "sleep_ms").c_str());
    if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    int status = std::atoi(query_value(target, "status").c_str());
    if (status < 100 || status > 599) status = 200;
    const char* rev = std::getenv("K_REVISION");
    std::string body = query_value(target, "headers") == "1"
                           ? head + "\n"
                           : "hello from " + std::string(rev ? rev : "local") + " pid " + std::to_string(getpid()) + "\n";
    std::string res = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: text/plain\r\nContent-Length: " +
                      std::to_string(body.size()) + (close_after ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
    if (write(fd, res.data(), res.size()) < 0 || close_after) break;
    if (int d = std::atoi(query_value(target, "deafen_ms").c_str()); d > 0) {
      deafen_ms = d;
      deaf = true;
      shutdown(listen_fd, SHUT_RDWR);  // wakes accept(); new connections are refused from now on
    }
  }
done:
  close(fd);
  --active;
}

int open_listener(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(uint16_t(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 1024) != 0) {
    std::perror("hello: listen");
    std::exit(1);
  }
  return fd;
}

}  // namespace

int main() {
  const char* port_env = std::getenv("PORT");
  int port = port_env ? std::atoi(port_env) : 8080;
  signal(SIGPIPE, SIG_IGN);
  int one = 1;
  listen_fd = open_listener(port);
  struct sigaction sa {};
  sa.sa_handler = [](int) {
    stopping = true;
    shutdown(listen_fd, SHUT_RDWR);  // wakes accept()
  };
  sigaction(SIGTERM, &sa, nullptr);
  std::fprintf(stderr, "hello: listening on %d\n", port);
  while (!stopping) {
    int fd = accept(listen_fd, nullptr, nullptr);
    if (fd < 0) {
      if (int d = deafen_ms.exchange(0); d > 0 && !stopping) {
        close(listen_fd);
        std::fprintf(stderr, "hello: deaf for %d ms\n", d);
        std::this_thread::sleep_for(std::chrono::milliseconds(d));
        listen_fd = open_listener(port);
        deaf = false;
      }
      continue;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread(serve, fd).detach();
  }
  while (active > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::fprintf(stderr, "hello: stopped\n");
  return 0;
}
