// The dead-letter stream as the admin API sees it: list (oldest first, by subject), count,
// delete; headers carry the failure's metadata.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "nats_fixture.h"

using namespace mlfaas::async;
using namespace mlfaas::async::test;
using namespace std::chrono_literals;

namespace {
std::string dl(const std::string& function) { return std::string(kDeadLetterSubjectPrefix) + function; }
int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
}  // namespace

TEST_F(NatsTest, DeadLettersListCountDelete) {
  const int64_t t0 = now_ms();
  std::vector<uint64_t> seq;
  for (int i = 0; i < 3; ++i)
    seq.push_back(js_->publish(dl("fn1"), "call " + std::to_string(i), "dl-" + std::to_string(i), 5s,
                               {{"X-Mlfaas-Attempts", "5"}, {"X-Mlfaas-Last-Status", "503"}}));
  js_->publish(dl("fn2"), "other", "", 5s);

  EXPECT_EQ(js_->count(kDeadLetterStream, ""), 4u);
  EXPECT_EQ(js_->count(kDeadLetterStream, ">"), 4u);
  EXPECT_EQ(js_->count(kDeadLetterStream, dl("fn1")), 3u);
  EXPECT_EQ(js_->count(kDeadLetterStream, dl("fn2")), 1u);
  EXPECT_EQ(js_->count(kDeadLetterStream, dl("none")), 0u);
  EXPECT_EQ(js_->count(kDeadLetterStream, "mlfaas.deadletter.*"), 4u);

  std::vector<StoredMessage> l = js_->list(kDeadLetterStream, dl("fn1"), 10);
  ASSERT_EQ(l.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(l[i].sequence, seq[i]);
    EXPECT_EQ(l[i].subject, dl("fn1"));
    EXPECT_EQ(l[i].data, "call " + std::to_string(i));
    EXPECT_GE(l[i].time_ms, t0 - 1000);
    EXPECT_LE(l[i].time_ms, now_ms() + 1000);
    Headers want = {{"X-Mlfaas-Attempts", "5"}, {"X-Mlfaas-Last-Status", "503"}, {"Nats-Msg-Id", "dl-" + std::to_string(i)}};
    for (const auto& h : want) EXPECT_NE(std::find(l[i].headers.begin(), l[i].headers.end(), h), l[i].headers.end()) << h.first;
    for (const auto& [k, v] : l[i].headers) EXPECT_NE(k, "Nats-Sequence");
  }
  EXPECT_EQ(js_->list(kDeadLetterStream, "", 10).size(), 4u);
  EXPECT_EQ(js_->list(kDeadLetterStream, "", 10).back().subject, dl("fn2"));
  EXPECT_EQ(js_->list(kDeadLetterStream, dl("fn1"), 2).size(), 2u);
  EXPECT_TRUE(js_->list(kDeadLetterStream, dl("none"), 10).empty());

  EXPECT_TRUE(js_->delete_message(kDeadLetterStream, seq[1]));
  EXPECT_FALSE(js_->delete_message(kDeadLetterStream, seq[1]));   // already gone
  EXPECT_FALSE(js_->delete_message(kDeadLetterStream, 1000000));  // never stored
  l = js_->list(kDeadLetterStream, dl("fn1"), 10);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].sequence, seq[0]);
  EXPECT_EQ(l[1].sequence, seq[2]);
  EXPECT_EQ(js_->count(kDeadLetterStream, dl("fn1")), 2u);
  EXPECT_EQ(js_->count(kDeadLetterStream, ""), 3u);
}

TEST_F(NatsTest, DeadLettersSurviveARestart) {
  js_->publish(dl("fn"), "kept", "", 5s);
  restart(false);
  std::vector<StoredMessage> l = js_->list(kDeadLetterStream, dl("fn"), 10);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].data, "kept");
}

TEST_F(NatsTest, ListAndCountOnTheAsyncStream) {
  js_->publish(subject_of("a"), "1", "", 5s);
  js_->publish(subject_of("b"), "2", "", 5s);
  js_->publish(subject_of("a"), "3", "", 5s);
  std::vector<StoredMessage> l = js_->list(kAsyncStream, subject_of("a"), 10);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].data, "1");
  EXPECT_EQ(l[1].data, "3");
  EXPECT_EQ(js_->count(kAsyncStream, subject_of("b")), 1u);
  EXPECT_EQ(js_->count("NO_SUCH_STREAM", ""), 0u);
  EXPECT_TRUE(js_->list("NO_SUCH_STREAM", "", 10).empty());
}
