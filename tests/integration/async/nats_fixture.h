#pragma once
// A fresh nats-server with JetStream in a scratch directory, a JetStream client on it, the two
// streams created; and helpers that poll with deadlines instead of sleeping.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "async/jetstream.h"
#include "async/nats_server.h"
#include "support/paths.h"

namespace mlfaas::async::test {

inline constexpr const char* kNatsServerExe = "/usr/sbin/nats-server";

#define MLFAAS_REQUIRE_NATS_SERVER()                                                      \
  do {                                                                                    \
    if (access(::mlfaas::async::test::kNatsServerExe, X_OK) != 0)                         \
      GTEST_SKIP() << "nats-server not installed (apt-get install nats-server)";          \
  } while (0)

class NatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MLFAAS_REQUIRE_NATS_SERVER();
    dir_ = mlfaas::test::make_temp_dir("nats");  // removed at exit
    start();
  }
  void TearDown() override {
    js_.reset();
    server_.reset();
  }
  // A server on dir_ (port 0: a new one), a new client, the streams ensured.
  void start(int port = 0) {
    server_ = std::make_unique<NatsServer>(NatsServerOptions{.dir = dir_, .port = port});
    js_ = std::make_unique<JetStream>(server_->url());
    js_->ensure_streams(8 << 20);
  }
  // Stops the server (SIGTERM, or SIGKILL: no chance to flush anything) and starts a new one on
  // the same directory, with a new client.
  void restart(bool kill9) {
    js_.reset();
    if (kill9) ::kill(server_->pid(), SIGKILL);
    server_->stop();
    server_.reset();
    start();
  }

  std::filesystem::path dir_;
  std::unique_ptr<NatsServer> server_;
  std::unique_ptr<JetStream> js_;
};

// Fetches until `n` deliveries arrived or `within` passed.
inline std::vector<Delivery> fetch_n(Consumer& c, size_t n, std::chrono::milliseconds within) {
  std::vector<Delivery> out;
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    for (Delivery& d : c.fetch(int(std::min<size_t>(n - out.size(), 256)), std::chrono::milliseconds(500)))
      out.push_back(std::move(d));
  }
  return out;
}

inline std::string subject_of(const std::string& function) { return std::string(kAsyncSubjectPrefix) + function; }

}  // namespace mlfaas::async::test
