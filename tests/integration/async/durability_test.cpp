// What the queue keeps across server restarts: published messages (also after kill -9), the
// durable consumer's position and acks (after a clean stop), and clients reconnecting to a
// server restarted on the same port.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>

#include "nats_fixture.h"

using namespace mlfaas::async;
using namespace mlfaas::async::test;
using namespace std::chrono_literals;

namespace {

std::set<std::string> bodies(const std::vector<Delivery>& ds) {
  std::set<std::string> out;
  for (const Delivery& d : ds) out.insert(std::string(d.data()));
  return out;
}

std::set<std::string> numbered(int from, int to) {
  std::set<std::string> out;
  for (int i = from; i < to; ++i) out.insert("msg " + std::to_string(i));
  return out;
}

}  // namespace

class Durability : public NatsTest, public ::testing::WithParamInterface<bool> {};

TEST_P(Durability, PublishedMessagesSurviveARestart) {
  const bool kill9 = GetParam();
  auto c = js_->consumer("dur", subject_of("dur"), {.max_ack_pending = 200});
  c.reset();
  for (int i = 0; i < 100; ++i) js_->publish(subject_of("dur"), "msg " + std::to_string(i), "id-" + std::to_string(i), 5s);

  restart(kill9);
  EXPECT_EQ(js_->count(kAsyncStream, subject_of("dur")), 100u);
  // The ids of stored messages still de-duplicate (the server rebuilt them from the store).
  js_->publish(subject_of("dur"), "again", "id-7", 5s);
  EXPECT_EQ(js_->count(kAsyncStream, subject_of("dur")), 100u);
  c = js_->consumer("dur", subject_of("dur"), {.max_ack_pending = 200});
  std::vector<Delivery> got = fetch_n(*c, 100, 20s);
  EXPECT_EQ(got.size(), 100u);
  EXPECT_EQ(bodies(got), numbered(0, 100));
  for (Delivery& d : got) d.ack();
  EXPECT_EQ(js_->count(kAsyncStream, ""), 0u);
  EXPECT_TRUE(c->fetch(10, 300ms).empty());
}
INSTANTIATE_TEST_SUITE_P(Async, Durability, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Sigkill" : "Sigterm"; });

TEST_F(NatsTest, AckedAndDeliveredStateSurvivesACleanRestart) {
  auto c = js_->consumer("pos", subject_of("pos"), {.max_ack_pending = 200});
  for (int i = 0; i < 100; ++i) js_->publish(subject_of("pos"), "msg " + std::to_string(i), "", 5s);
  std::vector<Delivery> first = fetch_n(*c, 40, 10s);
  ASSERT_EQ(first.size(), 40u);
  for (int i = 0; i < 30; ++i) first[i].ack();  // 10 stay delivered but unacked
  first.clear();
  c.reset();

  restart(false);
  c = js_->consumer("pos", subject_of("pos"), {.max_ack_pending = 200, .ack_wait = 1000ms});
  // Never-delivered first (60), then the 10 unacked ones once their ack wait passed.
  std::vector<Delivery> rest = fetch_n(*c, 70, 20s);
  EXPECT_EQ(rest.size(), 70u);
  EXPECT_EQ(bodies(rest), numbered(30, 100));
  for (Delivery& d : rest) d.ack();
  EXPECT_TRUE(c->fetch(10, 1500ms).empty());
}

TEST_F(NatsTest, ClientReconnectsToAServerRestartedOnTheSamePort) {
  auto c = js_->consumer("re", subject_of("re"), {});
  js_->publish(subject_of("re"), "before", "", 5s);
  const int port = server_->port();
  server_->stop();
  const auto noticed = std::chrono::steady_clock::now() + 5s;
  while (js_->connected() && std::chrono::steady_clock::now() < noticed) std::this_thread::sleep_for(10ms);
  ASSERT_FALSE(js_->connected());
  EXPECT_THROW(js_->publish(subject_of("re"), "down", "", 300ms), std::runtime_error);  // not stored later either
  server_ = std::make_unique<NatsServer>(NatsServerOptions{.dir = dir_, .port = port});

  // The same JetStream object and Consumer carry on once the client has reconnected.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool published = false;
  while (!published && std::chrono::steady_clock::now() < deadline) {
    try {
      js_->publish(subject_of("re"), "after", "after-1", 1s);
      published = true;
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(100ms);
    }
  }
  ASSERT_TRUE(published);
  EXPECT_TRUE(js_->connected());
  std::vector<Delivery> got = fetch_n(*c, 2, 10s);
  EXPECT_EQ(bodies(got), (std::set<std::string>{"before", "after"}));
  for (Delivery& d : got) d.ack();
}

// nats-server 2.9 writes consumer and work-queue state to disk in the background: acks of the
// last moment before a kill -9 may be forgotten (those messages come again: at-least-once), but
// nothing unacked is ever lost.
TEST_F(NatsTest, AfterKill9NothingUnackedIsLost) {
  auto c = js_->consumer("k9", subject_of("k9"), {.max_ack_pending = 200, .ack_wait = 1000ms});
  for (int i = 0; i < 100; ++i) js_->publish(subject_of("k9"), "msg " + std::to_string(i), "", 5s);
  std::vector<Delivery> first = fetch_n(*c, 100, 10s);
  ASSERT_EQ(first.size(), 100u);
  for (int i = 0; i < 50; ++i) first[i].ack();
  first.clear();
  c.reset();

  restart(true);
  c = js_->consumer("k9", subject_of("k9"), {.max_ack_pending = 200, .ack_wait = 1000ms});
  std::set<std::string> seen;
  const std::set<std::string> unacked = numbered(50, 100);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!std::includes(seen.begin(), seen.end(), unacked.begin(), unacked.end()) &&
         std::chrono::steady_clock::now() < deadline) {
    for (Delivery& d : c->fetch(100, 500ms)) {
      seen.insert(std::string(d.data()));
      d.ack();
    }
  }
  EXPECT_TRUE(std::includes(seen.begin(), seen.end(), unacked.begin(), unacked.end()));
  for (const std::string& b : seen) EXPECT_EQ(numbered(0, 100).count(b), 1u) << b;
}
