#pragma once
// A thin RAII layer over the NATS C client (cnats 3.4) for the async-invocation queue: one
// connection with its JetStream context, the two streams, durable pull consumers, deliveries
// to ack, and the stored-message views the admin API needs. Failures throw std::runtime_error
// with cnats' status text, its detail and the JetStream error code ("nats: publish
// mlfaas.async.f: Timeout (JetStream error 10077)"); a fetch that times out is not a failure.
//
//   JetStream js(server.url());
//   js.ensure_streams(8 << 20);
//   js.publish("mlfaas.async.classifier", encode_call(call), call.call_id, 5s);
//   auto c = js.consumer("classifier", "mlfaas.async.classifier", {.max_ack_pending = 4});
//   for (Delivery& d : c->fetch(4, 1s)) { ...; d.ack(); }
//
// Streams: MLFAAS_ASYNC (mlfaas.async.>) is a work queue: a message leaves the stream when its
// consumer acks or terms it; its consumers' filter subjects must not overlap (one per function).
// MLFAAS_DEADLETTER (mlfaas.deadletter.>) keeps what it is given until deleted. Both are on
// disk, and both allow direct gets (list() reads through them).
//
// Thread-safety: cnats connections, contexts and acks are thread-safe, so a JetStream may be
// used from any threads at once. Consumer::fetch() calls are serialised per Consumer (cnats
// refuses concurrent fetches on one subscription): for parallel fetching, make one Consumer per
// thread on the same durable. A Delivery belongs to one thread at a time; it keeps its
// subscription and the connection alive, so it may outlive its Consumer and the JetStream.
//
// Reconnects: the connection reconnects to the same URL forever (every 100 ms), so a local
// server restarted on the same port is picked up again, consumers included. While it is down,
// publish() throws at once, fetch() returns nothing after its timeout, and the other calls
// throw after 5 s.
#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlfaas::async {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline constexpr const char* kAsyncStream = "MLFAAS_ASYNC";
inline constexpr const char* kDeadLetterStream = "MLFAAS_DEADLETTER";
inline constexpr std::string_view kAsyncSubjectPrefix = "mlfaas.async.";            // + function
inline constexpr std::string_view kDeadLetterSubjectPrefix = "mlfaas.deadletter.";  // + function
// CloudEvents brokers: every trigger of a broker reads all its events (limits retention, kept a day).
inline constexpr const char* kEventsStream = "MLFAAS_EVENTS";
inline constexpr std::string_view kEventsSubjectPrefix = "mlfaas.events.";  // + namespace.broker

struct Connection;  // the natsConnection and its jsCtx, shared by everything made from them

// A message handed to a consumer: acknowledge it once, one way or another, else it is delivered
// again after the consumer's ack_wait.
class Delivery {
 public:
  Delivery(Delivery&& o) noexcept;
  Delivery& operator=(Delivery&& o) noexcept;
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;
  ~Delivery();

  std::string_view data() const;
  std::string subject() const;
  // The first value of header `name` (case-sensitive), "" when absent.
  std::string header(const std::string& name) const;
  uint64_t delivered_count() const { return delivered_; }  // 1 on the first delivery
  uint64_t stream_sequence() const { return sequence_; }

  // Done. Waits for the server to confirm it applied the ack (natsMsg_AckSync; a plain ack
  // could still be in flight when the server stops), so the message is not delivered again,
  // also after a clean restart of the server. nats-server 2.9 writes acks to disk in the
  // background (within about a second): after a kill -9 of the server, the acks of its last
  // moment may be forgotten and those messages delivered again. At-least-once, never lost.
  // Throws if the confirmation does not come (the ack may or may not have been applied).
  void ack();
  // Deliver again, not before `delay`.
  void nak(std::chrono::milliseconds delay);
  // Still working: restarts the ack_wait clock.
  void in_progress();
  // Never deliver again (in a work queue: removed).
  void term();

 private:
  friend class Consumer;
  Delivery(natsMsg* msg, std::shared_ptr<natsSubscription> sub);
  natsMsg* msg_ = nullptr;
  std::shared_ptr<natsSubscription> sub_;  // the message refers to it for acks
  uint64_t delivered_ = 0, sequence_ = 0;
};

struct ConsumerOptions {
  std::string stream = kAsyncStream;
  bool deliver_new = false;                 // a new consumer starts with what is stored after it (triggers)
  int max_ack_pending = 16;                 // deliveries out at once, not yet acked
  std::chrono::milliseconds ack_wait{30'000};  // redelivered after this without ack or in_progress
  int max_deliver = -1;                     // -1: unlimited
};

// A durable pull consumer of MLFAAS_ASYNC.
class Consumer {
 public:
  // 0..max deliveries: returns as soon as some arrived and no more are waiting, or after
  // `timeout` with none (empty, not an error). Throws on connection or server errors.
  std::vector<Delivery> fetch(int max, std::chrono::milliseconds timeout);
  const std::string& durable() const { return durable_; }

 private:
  friend class JetStream;
  Consumer(std::string durable, std::shared_ptr<natsSubscription> sub)
      : durable_(std::move(durable)), sub_(std::move(sub)) {}
  std::string durable_;
  std::shared_ptr<natsSubscription> sub_;
  std::mutex fetch_mu_;
};

struct QueueStats {
  uint64_t pending = 0;      // stored, not yet delivered
  uint64_t ack_pending = 0;  // delivered, not yet acked (being worked on)
  uint64_t redelivered = 0;  // among ack_pending, those delivered more than once
};

struct StoredMessage {
  uint64_t sequence = 0;
  std::string subject;
  std::string data;
  Headers headers;  // as published (Nats-Msg-Id included), without the server's Nats-Stream/-Subject/-Sequence/-Time-Stamp
  int64_t time_ms = 0;  // unix ms when stored
};

class JetStream {
 public:
  // Connects, retrying until connect_timeout (the server may still be starting); throws after.
  explicit JetStream(const std::string& url,
                     std::chrono::milliseconds connect_timeout = std::chrono::seconds(5));
  ~JetStream();
  JetStream(const JetStream&) = delete;
  JetStream& operator=(const JetStream&) = delete;

  bool connected() const;

  // Creates MLFAAS_ASYNC (work queue, de-duplication window 2 min), MLFAAS_DEADLETTER (limits)
  // and MLFAAS_EVENTS (limits, a day), file-stored with messages of at most max_msg_bytes;
  // updates them when they exist with another configuration. Idempotent.
  void ensure_streams(int64_t max_msg_bytes);

  // Stores `data` on `subject` and returns its stream sequence once the server confirmed it is
  // stored. A non-empty msg_id de-duplicates: the same id again within the 2-minute window stores
  // nothing and returns the first copy's sequence (caveat of nats-server 2.9: after a server
  // restart it only remembers the ids of messages still stored, not of those already acked out
  // of the work queue). Headers: names without ':' or spaces, values without CR/LF. Throws at
  // once while disconnected (nothing sent); throws after `timeout` without confirmation (then it
  // may or may not be stored: publish again with the same msg_id).
  uint64_t publish(const std::string& subject, std::string_view data, const std::string& msg_id,
                   std::chrono::milliseconds timeout, const Headers& headers = {});

  // Creates the durable pull consumer of MLFAAS_ASYNC (explicit acks, from the first message),
  // or updates its options; its delivery state is the server's and survives restarts of either
  // side. Throws if the durable exists with another filter subject (delete it first).
  std::unique_ptr<Consumer> consumer(const std::string& durable, const std::string& filter_subject,
                                     const ConsumerOptions& options = {});
  // Zeros when the consumer (or the stream) does not exist.
  QueueStats consumer_stats(const std::string& durable, const std::string& stream = kAsyncStream);
  // Not found is fine.
  void delete_consumer(const std::string& durable, const std::string& stream = kAsyncStream);

  // Up to `max` stored messages of `stream` whose subject matches `subject_filter` (wildcards
  // allowed; empty = all), oldest first; empty when the stream does not exist. Needs a stream
  // with direct gets allowed (both of ours): one request per message returned.
  std::vector<StoredMessage> list(const std::string& stream, const std::string& subject_filter, size_t max);
  // False when there is no message `seq` (never stored, or already deleted).
  bool delete_message(const std::string& stream, uint64_t seq);
  // Messages stored in `stream` on subjects matching `subject_filter` (empty = all); 0 when the
  // stream does not exist.
  uint64_t count(const std::string& stream, const std::string& subject_filter);

 private:
  std::shared_ptr<Connection> conn_;
};

}  // namespace mlfaas::async
