#include "async/jetstream.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace mlfaas::async {
using namespace std::chrono_literals;

struct Connection {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  ~Connection() {
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);  // closes
  }
};

namespace {

int64_t to_ns(std::chrono::milliseconds d) { return int64_t(d.count()) * 1'000'000; }

// "nats: create consumer all: Error (filtered consumer not unique on workqueue stream)
// (JetStream error 10100)": the status, cnats' detail for it, the server's error code.
[[noreturn]] void fail(const std::string& what, natsStatus s, jsErrCode jerr = jsErrCode(0)) {
  std::string msg = "nats: " + what + ": " + natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  std::string_view detail = nats_GetLastError(&last) ? nats_GetLastError(&last) : "";
  if (detail.starts_with("(") && detail.find("): ") != std::string_view::npos)
    detail.remove_prefix(detail.find("): ") + 3);  // cnats' "(file.c:123): " source location
  if (last == s && !detail.empty() && detail != natsStatus_GetText(s)) msg += fmt::format(" ({})", detail);
  if (jerr != 0) msg += fmt::format(" (JetStream error {})", int(jerr));
  throw std::runtime_error(msg);
}

// All values of all headers, in cnats' order (per key, its values in order).
Headers all_headers(natsMsg* m) {
  Headers out;
  const char** keys = nullptr;
  int nkeys = 0;
  if (natsMsgHeader_Keys(m, &keys, &nkeys) != NATS_OK) return out;
  for (int i = 0; i < nkeys; ++i) {
    const char** vals = nullptr;
    int nvals = 0;
    if (natsMsgHeader_Values(m, keys[i], &vals, &nvals) != NATS_OK) continue;
    for (int j = 0; j < nvals; ++j) out.emplace_back(keys[i], vals[j]);
    free(static_cast<void*>(vals));
  }
  free(static_cast<void*>(keys));
  return out;
}

std::shared_ptr<natsSubscription> own(natsSubscription* sub, std::shared_ptr<Connection> conn) {
  // The subscription uses the connection: the deleter keeps it alive as long as the subscription.
  return std::shared_ptr<natsSubscription>(sub, [conn = std::move(conn)](natsSubscription* s) {
    natsSubscription_Destroy(s);
  });
}

}  // namespace

// ---- Delivery ----

Delivery::Delivery(natsMsg* msg, std::shared_ptr<natsSubscription> sub) : msg_(msg), sub_(std::move(sub)) {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg_) == NATS_OK) {
    delivered_ = meta->NumDelivered;
    sequence_ = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
  }
}

Delivery::Delivery(Delivery&& o) noexcept
    : msg_(std::exchange(o.msg_, nullptr)), sub_(std::move(o.sub_)), delivered_(o.delivered_), sequence_(o.sequence_) {}

Delivery& Delivery::operator=(Delivery&& o) noexcept {
  if (this != &o) {
    natsMsg_Destroy(msg_);
    msg_ = std::exchange(o.msg_, nullptr);
    sub_ = std::move(o.sub_);
    delivered_ = o.delivered_;
    sequence_ = o.sequence_;
  }
  return *this;
}

Delivery::~Delivery() { natsMsg_Destroy(msg_); }  // the message first, then (maybe) its subscription

// (A moved-from Delivery has no message: empty answers, and acks throw.)
std::string_view Delivery::data() const {
  if (!msg_) return {};
  return {natsMsg_GetData(msg_), size_t(natsMsg_GetDataLength(msg_))};
}

std::string Delivery::subject() const { return msg_ ? natsMsg_GetSubject(msg_) : ""; }

std::string Delivery::header(const std::string& name) const {
  const char* v = nullptr;
  return msg_ && natsMsgHeader_Get(msg_, name.c_str(), &v) == NATS_OK && v ? v : "";
}

void Delivery::ack() {
  // AckSync: the server answers once it has applied the ack (and, in a work queue, removed the
  // message); a plain Ack could still be in flight when the server goes down.
  jsErrCode jerr = jsErrCode(0);
  if (natsStatus s = natsMsg_AckSync(msg_, nullptr, &jerr); s != NATS_OK) fail("ack", s, jerr);
}

void Delivery::nak(std::chrono::milliseconds delay) {
  if (natsStatus s = natsMsg_NakWithDelay(msg_, int64_t(delay.count()), nullptr); s != NATS_OK) fail("nak", s);
}

void Delivery::in_progress() {
  if (natsStatus s = natsMsg_InProgress(msg_, nullptr); s != NATS_OK) fail("in progress", s);
}

void Delivery::term() {
  if (natsStatus s = natsMsg_Term(msg_, nullptr); s != NATS_OK) fail("term", s);
}

// ---- Consumer ----

std::vector<Delivery> Consumer::fetch(int max, std::chrono::milliseconds timeout) {
  if (max < 1) throw std::invalid_argument("fetch: max must be >= 1");
  std::lock_guard lk(fetch_mu_);
  natsMsgList list{};
  jsErrCode jerr = jsErrCode(0);
  natsStatus s = natsSubscription_Fetch(&list, sub_.get(), max, std::max<int64_t>(1, timeout.count()), &jerr);
  // Timeout: nothing to deliver in time (also: max_ack_pending deliveries are already out).
  if (s == NATS_TIMEOUT || s == NATS_NOT_FOUND) return {};
  if (s != NATS_OK) fail("fetch from " + durable_, s, jerr);
  std::vector<Delivery> out;
  out.reserve(size_t(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    out.push_back(Delivery(list.Msgs[i], sub_));
    list.Msgs[i] = nullptr;  // now owned by the Delivery; natsMsgList_Destroy skips NULLs
  }
  natsMsgList_Destroy(&list);
  return out;
}

// ---- JetStream ----

JetStream::JetStream(const std::string& url, std::chrono::milliseconds connect_timeout)
    : conn_(std::make_shared<Connection>()) {
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s != NATS_OK) fail("options", s);
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> opts_guard(opts, natsOptions_Destroy);
  s = natsOptions_SetURL(opts, url.c_str());
  if (s == NATS_OK) s = natsOptions_SetName(opts, "mlfaas");
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts, true);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);  // forever: the server is ours, it comes back
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 100);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 1000);  // per connection attempt
  // A publish or ack in flight when the server goes away would otherwise wait its whole timeout
  // (seconds) for a reply that cannot come; fail it at once, so the caller gets its 503 now.
  if (s == NATS_OK) s = natsOptions_SetFailRequestsOnDisconnect(opts, true);
  if (s != NATS_OK) fail("options for " + url, s);

  const auto deadline = std::chrono::steady_clock::now() + connect_timeout;
  for (;;) {
    s = natsConnection_Connect(&conn_->nc, opts);
    if (s == NATS_OK) break;
    if (std::chrono::steady_clock::now() + 50ms >= deadline) fail("connect to " + url, s);
    std::this_thread::sleep_for(50ms);
  }
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 5000;  // JetStream API requests (stream/consumer management, acks, gets)
  if ((s = natsConnection_JetStream(&conn_->js, conn_->nc, &jo)) != NATS_OK) fail("JetStream context", s);
}

JetStream::~JetStream() = default;

bool JetStream::connected() const { return natsConnection_Status(conn_->nc) == NATS_CONN_STATUS_CONNECTED; }

void JetStream::ensure_streams(int64_t max_msg_bytes) {
  if (max_msg_bytes < 1 || max_msg_bytes > INT32_MAX)
    throw std::invalid_argument(fmt::format("ensure_streams: max_msg_bytes must be in 1..{}, got {}", INT32_MAX, max_msg_bytes));
  auto add_or_update = [&](jsStreamConfig& cfg) {
    jsErrCode jerr = jsErrCode(0);
    natsStatus s = js_AddStream(nullptr, conn_->js, &cfg, nullptr, &jerr);
    if (s != NATS_OK && jerr == JSStreamNameExistErr)  // exists with another configuration
      s = js_UpdateStream(nullptr, conn_->js, &cfg, nullptr, &jerr);
    if (s != NATS_OK) fail(std::string("create or update stream ") + cfg.Name, s, jerr);
  };

  const char* async_subjects[] = {"mlfaas.async.>"};
  jsStreamConfig a;
  jsStreamConfig_Init(&a);
  a.Name = kAsyncStream;
  a.Subjects = async_subjects;
  a.SubjectsLen = 1;
  a.Retention = js_WorkQueuePolicy;
  a.Storage = js_FileStorage;
  a.Duplicates = to_ns(2min);  // a gateway retrying a publish within this window stores it once
  a.MaxMsgSize = int32_t(max_msg_bytes);
  a.AllowDirect = true;
  add_or_update(a);

  const char* dead_subjects[] = {"mlfaas.deadletter.>"};
  jsStreamConfig d;
  jsStreamConfig_Init(&d);
  d.Name = kDeadLetterStream;
  d.Subjects = dead_subjects;
  d.SubjectsLen = 1;
  d.Retention = js_LimitsPolicy;
  d.Storage = js_FileStorage;
  d.Duplicates = to_ns(2min);
  d.MaxMsgSize = int32_t(max_msg_bytes);
  d.AllowDirect = true;
  add_or_update(d);

  const char* event_subjects[] = {"mlfaas.events.>"};
  jsStreamConfig e;
  jsStreamConfig_Init(&e);
  e.Name = kEventsStream;
  e.Subjects = event_subjects;
  e.SubjectsLen = 1;
  e.Retention = js_LimitsPolicy;  // each trigger's consumer reads every event
  e.Storage = js_FileStorage;
  e.Duplicates = to_ns(2min);  // a sender retrying an event (same source and id) stores it once
  e.MaxAge = to_ns(24h);
  e.MaxBytes = int64_t(4) << 30;
  e.MaxMsgSize = int32_t(max_msg_bytes);
  e.AllowDirect = true;
  add_or_update(e);
}

uint64_t JetStream::publish(const std::string& subject, std::string_view data, const std::string& msg_id,
                            std::chrono::milliseconds timeout, const Headers& headers) {
  if (data.size() > size_t(INT_MAX)) throw std::invalid_argument("publish: message too large");
  natsMsg* m = nullptr;
  natsStatus s = natsMsg_Create(&m, subject.c_str(), nullptr, data.data(), int(data.size()));
  if (s != NATS_OK) fail("publish " + subject, s);
  std::unique_ptr<natsMsg, void (*)(natsMsg*)> guard(m, natsMsg_Destroy);
  for (const auto& [k, v] : headers)
    if ((s = natsMsgHeader_Add(m, k.c_str(), v.c_str())) != NATS_OK) fail("publish " + subject + ": header " + k, s);

  // Fail fast while disconnected: cnats would buffer the message and send it after reconnecting,
  // long after we reported a failure to our caller.
  if (natsConnection_Status(conn_->nc) != NATS_CONN_STATUS_CONNECTED)
    throw std::runtime_error("nats: publish " + subject + ": not connected (server down or restarting)");
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = msg_id.empty() ? nullptr : msg_id.c_str();
  po.MaxWait = std::max<int64_t>(1, timeout.count());
  jsPubAck* ack = nullptr;
  jsErrCode jerr = jsErrCode(0);
  s = js_PublishMsg(&ack, conn_->js, m, &po, &jerr);
  if (s != NATS_OK) fail("publish " + subject, s, jerr);
  const uint64_t seq = ack->Sequence;
  jsPubAck_Destroy(ack);
  return seq;
}

std::unique_ptr<Consumer> JetStream::consumer(const std::string& durable, const std::string& filter_subject,
                                              const ConsumerOptions& o) {
  if (o.max_ack_pending < 1) throw std::invalid_argument("consumer: max_ack_pending must be >= 1");
  if (o.ack_wait <= 0ms) throw std::invalid_argument("consumer: ack_wait must be > 0");
  if (o.max_deliver == 0 || o.max_deliver < -1) throw std::invalid_argument("consumer: max_deliver must be -1 or >= 1");
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = durable.c_str();
  cc.FilterSubject = filter_subject.c_str();
  // A work queue requires DeliverAll; a trigger starts with the events that arrive after it.
  cc.DeliverPolicy = o.deliver_new ? js_DeliverNew : js_DeliverAll;
  cc.AckPolicy = js_AckExplicit;
  cc.ReplayPolicy = js_ReplayInstant;
  cc.AckWait = to_ns(o.ack_wait);
  cc.MaxDeliver = o.max_deliver;
  cc.MaxAckPending = o.max_ack_pending;
  // nats-server 2.9 accepts a new filter for an existing durable but keeps part of its state
  // for the old one (and in a work queue the filters must stay disjoint): refuse it here.
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = jsErrCode(0);
  const char* stream = o.stream.c_str();
  if (js_GetConsumerInfo(&ci, conn_->js, stream, durable.c_str(), nullptr, &jerr) == NATS_OK) {
    std::string existing = ci->Config && ci->Config->FilterSubject ? ci->Config->FilterSubject : "";
    jsConsumerInfo_Destroy(ci);
    if (existing != filter_subject)
      throw std::runtime_error(fmt::format("nats: consumer {} exists with filter \"{}\", not \"{}\"; delete it first",
                                           durable, existing, filter_subject));
  }
  // Creates the durable, or applies changed settings to the existing one (its delivery state kept).
  natsStatus s = js_AddConsumer(nullptr, conn_->js, stream, &cc, nullptr, &jerr);
  if (s != NATS_OK) fail("create consumer " + durable, s, jerr);

  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream;
  so.Consumer = durable.c_str();  // bind to it: the library creates nothing
  natsSubscription* sub = nullptr;
  s = js_PullSubscribe(&sub, conn_->js, nullptr, durable.c_str(), nullptr, &so, &jerr);
  if (s != NATS_OK) fail("subscribe to consumer " + durable, s, jerr);
  return std::unique_ptr<Consumer>(new Consumer(durable, own(sub, conn_)));
}

QueueStats JetStream::consumer_stats(const std::string& durable, const std::string& stream) {
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = jsErrCode(0);
  natsStatus s = js_GetConsumerInfo(&ci, conn_->js, stream.c_str(), durable.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr || jerr == JSStreamNotFoundErr) return {};
  if (s != NATS_OK) fail("consumer info " + durable, s, jerr);
  QueueStats q{ci->NumPending, uint64_t(ci->NumAckPending), uint64_t(ci->NumRedelivered)};
  jsConsumerInfo_Destroy(ci);
  return q;
}

void JetStream::delete_consumer(const std::string& durable, const std::string& stream) {
  jsErrCode jerr = jsErrCode(0);
  natsStatus s = js_DeleteConsumer(conn_->js, stream.c_str(), durable.c_str(), nullptr, &jerr);
  if (s == NATS_OK || s == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr || jerr == JSStreamNotFoundErr) return;
  fail("delete consumer " + durable, s, jerr);
}

std::vector<StoredMessage> JetStream::list(const std::string& stream, const std::string& subject_filter, size_t max) {
  // Direct gets of "the first message at or after seq on a matching subject": deleted and
  // non-matching sequences cost nothing, one request per message returned.
  // Stream info first: a direct get to a stream that does not exist is not answered at all.
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = jsErrCode(0);
  natsStatus s = js_GetStreamInfo(&si, conn_->js, stream.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) return {};
  if (s != NATS_OK) fail("stream info " + stream, s, jerr);
  const bool direct = si->Config && si->Config->AllowDirect;
  const uint64_t stored = si->State.Msgs;
  uint64_t seq = std::max<uint64_t>(1, si->State.FirstSeq);
  jsStreamInfo_Destroy(si);
  if (!direct) throw std::runtime_error("nats: list " + stream + ": the stream does not allow direct gets");

  const std::string filter = subject_filter.empty() ? ">" : subject_filter;
  std::vector<StoredMessage> out;
  while (out.size() < max && stored > 0) {
    jsDirectGetMsgOptions dg;
    jsDirectGetMsgOptions_Init(&dg);
    dg.Sequence = seq;
    dg.NextBySubject = filter.c_str();
    natsMsg* m = nullptr;
    s = js_DirectGetMsg(&m, conn_->js, stream.c_str(), nullptr, &dg);
    if (s == NATS_NOT_FOUND) break;  // no more
    if (s != NATS_OK) fail("list " + stream, s);
    std::unique_ptr<natsMsg, void (*)(natsMsg*)> guard(m, natsMsg_Destroy);
    StoredMessage sm;
    sm.sequence = natsMsg_GetSequence(m);
    sm.subject = natsMsg_GetSubject(m);
    sm.data.assign(natsMsg_GetData(m), size_t(natsMsg_GetDataLength(m)));
    sm.time_ms = natsMsg_GetTime(m) / 1'000'000;
    for (auto& [k, v] : all_headers(m))
      if (k != "Nats-Stream" && k != "Nats-Subject" && k != "Nats-Sequence" && k != "Nats-Time-Stamp")
        sm.headers.emplace_back(std::move(k), std::move(v));
    seq = sm.sequence + 1;
    out.push_back(std::move(sm));
  }
  return out;
}

bool JetStream::delete_message(const std::string& stream, uint64_t seq) {
  jsErrCode jerr = jsErrCode(0);
  natsStatus s = js_DeleteMsg(conn_->js, stream.c_str(), seq, nullptr, &jerr);
  if (s == NATS_OK) return true;
  // nats-server 2.9 reports a missing sequence as a failed delete (10057) whose text says why.
  natsStatus last = NATS_OK;
  const std::string_view text = nats_GetLastError(&last) ? nats_GetLastError(&last) : "";
  const bool missing = text.find("no message found") != std::string_view::npos ||
                       text.find("stream store EOF") != std::string_view::npos;
  if (jerr == JSSequenceNotFoundErr || (jerr == JSStreamMsgDeleteFailed && missing)) return false;
  fail(fmt::format("delete message {} of {}", seq, stream), s, jerr);
}

uint64_t JetStream::count(const std::string& stream, const std::string& subject_filter) {
  jsOptions o;
  jsOptions_Init(&o);
  const bool all = subject_filter.empty() || subject_filter == ">";
  if (!all) o.Stream.Info.SubjectsFilter = subject_filter.c_str();  // per-subject counts
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = jsErrCode(0);
  natsStatus s = js_GetStreamInfo(&si, conn_->js, stream.c_str(), &o, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) return 0;
  if (s != NATS_OK) fail("stream info " + stream, s, jerr);
  uint64_t n = 0;
  if (all) n = si->State.Msgs;
  else if (si->State.Subjects)
    for (int i = 0; i < si->State.Subjects->Count; ++i) n += si->State.Subjects->List[i].Msgs;
  jsStreamInfo_Destroy(si);
  return n;
}

}  // namespace mlfaas::async
