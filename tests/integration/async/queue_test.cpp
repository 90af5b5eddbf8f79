// The queue itself: publish, fetch, ack/nak/term, de-duplication, flow control by
// max_ack_pending, large payloads, idempotent setup.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

#include "async/async_call.h"
#include "nats_fixture.h"

using namespace mlfaas::async;
using namespace mlfaas::async::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_F(NatsTest, PublishFetchAck) {
  auto c = js_->consumer("fa", subject_of("fa"), {});
  std::vector<uint64_t> seqs;
  for (int i = 0; i < 3; ++i)
    seqs.push_back(js_->publish(subject_of("fa"), "body " + std::to_string(i), new_call_id(), 5s,
                                {{"X-Mlfaas-Attempt", "1"}, {"X-Multi", "a"}, {"X-Multi", "b"}}));
  EXPECT_LT(seqs[0], seqs[1]);
  EXPECT_LT(seqs[1], seqs[2]);
  EXPECT_EQ(js_->count(kAsyncStream, ""), 3u);
  EXPECT_EQ(js_->consumer_stats("fa").pending, 3u);

  std::vector<Delivery> got = fetch_n(*c, 3, 5s);
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].data(), "body " + std::to_string(i));
    EXPECT_EQ(got[i].subject(), subject_of("fa"));
    EXPECT_EQ(got[i].header("X-Mlfaas-Attempt"), "1");
    EXPECT_EQ(got[i].header("X-Multi"), "a");  // the first value
    EXPECT_EQ(got[i].header("X-Absent"), "");
    EXPECT_EQ(got[i].delivered_count(), 1u);
    EXPECT_EQ(got[i].stream_sequence(), seqs[i]);
  }
  QueueStats st = js_->consumer_stats("fa");
  EXPECT_EQ(st.pending, 0u);
  EXPECT_EQ(st.ack_pending, 3u);
  for (Delivery& d : got) d.ack();
  got[0].ack();  // a second ack is a no-op
  EXPECT_TRUE(c->fetch(3, 300ms).empty());
  st = js_->consumer_stats("fa");
  EXPECT_EQ(st.ack_pending, 0u);
  EXPECT_EQ(st.pending, 0u);
  EXPECT_EQ(js_->count(kAsyncStream, ""), 0u);  // a work queue forgets what was acked
}

TEST_F(NatsTest, FetchWithNothingQueuedTimesOutEmpty) {
  auto c = js_->consumer("idle", subject_of("idle"), {});
  auto t0 = Clock::now();
  EXPECT_TRUE(c->fetch(5, 400ms).empty());
  EXPECT_GE(Clock::now() - t0, 300ms);
  EXPECT_TRUE(c->fetch(1, 200ms).empty());
}

TEST_F(NatsTest, FetchReturnsAsSoonAsAMessageArrives) {
  auto c = js_->consumer("late", subject_of("late"), {});
  std::thread publisher([&] {
    std::this_thread::sleep_for(300ms);
    js_->publish(subject_of("late"), "x", "", 5s);
  });
  auto t0 = Clock::now();
  std::vector<Delivery> got = c->fetch(1, 10s);
  publisher.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LT(Clock::now() - t0, 5s);
}

TEST_F(NatsTest, SameMsgIdIsStoredOnce) {
  uint64_t a = js_->publish(subject_of("dup"), "first", "call-1", 5s);
  uint64_t b = js_->publish(subject_of("dup"), "second", "call-1", 5s);
  uint64_t c = js_->publish(subject_of("dup"), "other", "call-2", 5s);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(js_->count(kAsyncStream, subject_of("dup")), 2u);
  auto cons = js_->consumer("dup", subject_of("dup"), {});
  std::vector<Delivery> got = fetch_n(*cons, 2, 5s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data(), "first");
  EXPECT_EQ(got[0].header("Nats-Msg-Id"), "call-1");
  EXPECT_EQ(got[1].data(), "other");
}

TEST_F(NatsTest, NakWithDelayRedeliversAfterTheDelay) {
  auto c = js_->consumer("nak", subject_of("nak"), {});
  js_->publish(subject_of("nak"), "retry me", "", 5s);
  std::vector<Delivery> first = fetch_n(*c, 1, 5s);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].delivered_count(), 1u);
  const auto t0 = Clock::now();
  first[0].nak(1500ms);
  EXPECT_TRUE(c->fetch(1, 500ms).empty()) << "redelivered before the delay";
  std::vector<Delivery> again = fetch_n(*c, 1, 10s);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_GE(Clock::now() - t0, 1400ms);
  EXPECT_EQ(again[0].delivered_count(), 2u);
  EXPECT_EQ(again[0].data(), "retry me");
  EXPECT_EQ(again[0].stream_sequence(), first[0].stream_sequence());
  EXPECT_EQ(js_->consumer_stats("nak").redelivered, 1u);
  again[0].ack();
}

TEST_F(NatsTest, UnackedMessageIsRedeliveredAfterAckWait) {
  auto c = js_->consumer("slow", subject_of("slow"), {.ack_wait = 1000ms});
  js_->publish(subject_of("slow"), "x", "", 5s);
  std::vector<Delivery> first = fetch_n(*c, 1, 5s);
  ASSERT_EQ(first.size(), 1u);
  first[0].in_progress();  // restarts the clock; fine to call
  std::vector<Delivery> again = fetch_n(*c, 1, 10s);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].delivered_count(), 2u);
  again[0].ack();
}

TEST_F(NatsTest, TermedMessageIsNotRedeliveredAndLeavesTheQueue) {
  auto c = js_->consumer("term", subject_of("term"), {.ack_wait = 500ms});
  js_->publish(subject_of("term"), "poison", "", 5s);
  std::vector<Delivery> got = fetch_n(*c, 1, 5s);
  ASSERT_EQ(got.size(), 1u);
  got[0].term();
  EXPECT_TRUE(c->fetch(1, 1500ms).empty());  // well past ack_wait
  EXPECT_EQ(js_->count(kAsyncStream, subject_of("term")), 0u);
}

TEST_F(NatsTest, MaxAckPendingLimitsWhatFetchReturns) {
  auto c = js_->consumer("map", subject_of("map"), {.max_ack_pending = 2});
  for (int i = 0; i < 5; ++i) js_->publish(subject_of("map"), std::to_string(i), "", 5s);
  std::vector<Delivery> got = c->fetch(5, 2s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(c->fetch(5, 500ms).empty());  // two out, none acked: nothing more
  QueueStats st = js_->consumer_stats("map");
  EXPECT_EQ(st.ack_pending, 2u);
  EXPECT_EQ(st.pending, 3u);
  got[0].ack();
  std::vector<Delivery> more = fetch_n(*c, 1, 5s);
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].data(), "2");
  EXPECT_TRUE(c->fetch(5, 300ms).empty());
}

TEST_F(NatsTest, TwoMegabytePayloadPasses) {
  std::string big(2 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = char(i * 131 + (i >> 9));
  auto c = js_->consumer("big", subject_of("big"), {});
  js_->publish(subject_of("big"), big, new_call_id(), 10s);
  std::vector<Delivery> got = fetch_n(*c, 1, 10s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].data() == big);
  got[0].ack();
}

TEST_F(NatsTest, MessageAboveTheStreamLimitIsRefused) {
  js_->ensure_streams(1 << 20);  // an update of the existing streams
  std::string big((1 << 20) + 1, 'x');
  EXPECT_THROW(js_->publish(subject_of("big"), big, "", 5s), std::runtime_error);
  js_->ensure_streams(8 << 20);
  EXPECT_GT(js_->publish(subject_of("big"), big, "", 5s), 0u);
}

TEST_F(NatsTest, EnsureStreamsIsIdempotent) {
  js_->publish(subject_of("keep"), "x", "", 5s);
  js_->ensure_streams(8 << 20);
  js_->ensure_streams(8 << 20);
  EXPECT_EQ(js_->count(kAsyncStream, ""), 1u);
  EXPECT_THROW(js_->ensure_streams(0), std::invalid_argument);
}

TEST_F(NatsTest, ConsumerIsCreatedOnceAndUpdated) {
  js_->publish(subject_of("upd"), "a", "", 5s);
  js_->publish(subject_of("upd"), "b", "", 5s);
  auto c1 = js_->consumer("upd", subject_of("upd"), {.max_ack_pending = 1});
  std::vector<Delivery> first = fetch_n(*c1, 1, 5s);
  ASSERT_EQ(first.size(), 1u);
  // Same durable again, with a larger window: same state (one delivery out), new setting.
  auto c2 = js_->consumer("upd", subject_of("upd"), {.max_ack_pending = 8});
  EXPECT_EQ(js_->consumer_stats("upd").ack_pending, 1u);
  std::vector<Delivery> second = fetch_n(*c2, 1, 5s);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].data(), "b");
  // Another filter for an existing durable is refused (nats-server 2.9 would half apply it).
  try {
    js_->consumer("upd", subject_of("other"), {});
    ADD_FAILURE() << "a new filter was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("exists with filter \"mlfaas.async.upd\""), std::string::npos) << e.what();
  }
  first[0].ack();
  second[0].ack();
  js_->delete_consumer("upd");
  QueueStats st = js_->consumer_stats("upd");
  EXPECT_EQ(st.pending + st.ack_pending + st.redelivered, 0u);
  js_->delete_consumer("upd");  // not found: fine
}

TEST_F(NatsTest, WorkQueueConsumersMustNotOverlap) {
  auto a = js_->consumer("a", subject_of("a"), {});
  EXPECT_THROW(js_->consumer("all", "mlfaas.async.>", {}), std::runtime_error);
}

TEST_F(NatsTest, ConsumerOptionsAreValidated) {
  EXPECT_THROW(js_->consumer("x", subject_of("x"), {.max_ack_pending = 0}), std::invalid_argument);
  EXPECT_THROW(js_->consumer("x", subject_of("x"), {.ack_wait = 0ms}), std::invalid_argument);
  EXPECT_THROW(js_->consumer("x", subject_of("x"), {.max_deliver = 0}), std::invalid_argument);
}

TEST_F(NatsTest, DeliveryOutlivesItsConsumerAndClient) {
  auto c = js_->consumer("own", subject_of("own"), {});
  js_->publish(subject_of("own"), "x", "", 5s);
  std::vector<Delivery> got = fetch_n(*c, 1, 5s);
  ASSERT_EQ(got.size(), 1u);
  Delivery d = std::move(got[0]);
  c.reset();
  js_.reset();
  d.ack();  // the connection is still there for it
  js_ = std::make_unique<JetStream>(server_->url());
  EXPECT_EQ(js_->count(kAsyncStream, ""), 0u);
}

TEST_F(NatsTest, CallsRoundTripThroughTheQueue) {
  AsyncCall call{.call_id = new_call_id(), .function = "fn", .method = "POST", .target = "/x?y=1",
                 .callback_url = "http://127.0.0.1:1/cb", .headers = {{"Content-Type", "application/octet-stream"}},
                 .body = std::string("\0\n\xff", 3), .queued_at_ms = 123};
  auto c = js_->consumer("fn", subject_of("fn"), {});
  js_->publish(subject_of("fn"), encode_call(call), call.call_id, 5s);
  std::vector<Delivery> got = fetch_n(*c, 1, 5s);
  ASSERT_EQ(got.size(), 1u);
  AsyncCall back = decode_call(got[0].data());
  EXPECT_EQ(back.call_id, call.call_id);
  EXPECT_EQ(back.body, call.body);
  EXPECT_EQ(back.headers, call.headers);
  got[0].ack();
}
