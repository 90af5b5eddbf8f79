#pragma once
// An HTTP server whose misbehaviour is chosen per request, for testing the load generator: fixed
// or cycling delays, status codes, stalls, slow, truncated, dropped and never-answered responses,
// and a fake gateway function-status API. Runs on 127.0.0.1 on its own thread (or in the
// foreground, see bench_target_server_main.cpp). Behaviour by request target:
//
//   /anything?delay_ms=N&status=N&body_bytes=N   answer after N ms with that status and body size
//   /dist?ms=5,5,20,50                           delays cycle through the list (server-wide counter)
//   /cycle?statuses=200,404,500                  statuses cycle through the list
//   /stall_once?after=K&ms=M                     the K-th request to this path waits M ms, others none
//   /drop                                        read the request, close without answering
//   /hang                                        read the request, never answer (until the client leaves)
//   /partial                                     headers promise 100 bytes, send 10, close
//   /reset_early                                 read the headers, reset the connection (the body fails to send)
//   /slow?ms=N                                   send the headers and 1 byte, wait N ms, send the rest
//   /system/function/NAME                        {"name","replicas":2,"availableReplicas":1,"queueDepth":3}
//   /system/function/missing                     404
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace mlfaas::test {

class BenchTargetServer {
 public:
  // port 0: an ephemeral port.
  explicit BenchTargetServer(uint16_t port = 0);
  ~BenchTargetServer();
  BenchTargetServer(const BenchTargetServer&) = delete;
  BenchTargetServer& operator=(const BenchTargetServer&) = delete;

  uint16_t port() const;
  // "http://127.0.0.1:PORT" + target
  std::string url(std::string_view target) const;
  uint64_t requests() const;     // requests read
  uint64_t connections() const;  // connections accepted

  // Serves on the calling thread until stop() (for the standalone executable).
  void run();
  void start();  // on a background thread
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

// A loopback port where connections are refused, reserved for the object's lifetime: the socket is
// bound but never listens, so no parallel test can take the port (unlike a port that was free a
// moment ago).
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  uint16_t port() const { return port_; }
  std::string url(std::string_view target) const;

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace mlfaas::test
