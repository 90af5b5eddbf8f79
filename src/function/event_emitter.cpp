#include "function/event_emitter.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <ctime>

#include "common/access_log.h"
#include "common/log.h"
#include "common/random.h"
#include "events/cloudevent.h"
#include "http/client.h"
#include "http/url.h"

namespace mlfaas::function {

namespace asio = boost::asio;
namespace json = boost::json;

struct EventEmitter::Impl {
  http::HttpUrl url;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<events::CloudEvent> buffer;
  bool stopping = false;
  std::map<std::string, std::string> extensions;  // from K_CE_OVERRIDES
  metrics::Counter *sent, *dropped, *failed;
};

namespace {


}  // namespace

EventEmitter::EventEmitter(EmitterOptions opts, metrics::Registry& r) : opts_(std::move(opts)), impl_(std::make_unique<Impl>()) {
  impl_->url = http::parse_http_url(opts_.sink);  // throws for a bad sink
  if (!opts_.ce_overrides.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(opts_.ce_overrides, ec);
    if (!ec && v.is_object())
      if (auto* ext = v.as_object().if_contains("extensions"); ext && ext->is_object())
        for (auto& [k, x] : ext->as_object())
          if (x.is_string()) impl_->extensions[std::string(k)] = std::string(x.as_string());
  }
  auto& fam = r.counter("mlfaas_events_emitted_total",
                        "Prediction events: sent to the sink, dropped (buffer full), failed (the sink did not take them)",
                        {"result"});
  impl_->sent = &fam.with({{"result", "sent"}});
  impl_->dropped = &fam.with({{"result", "dropped"}});
  impl_->failed = &fam.with({{"result", "failed"}});
  thread_ = std::thread([this] { run(); });
}

EventEmitter::~EventEmitter() {
  {
    std::lock_guard lk(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  thread_.join();
}

void EventEmitter::emit(std::string json_data, const std::string& traceparent) {
  events::CloudEvent e;
  e.set("specversion", "1.0");
  e.set("id", uuid_v4());
  e.set("source", opts_.source);
  e.set("type", opts_.type);
  e.set("time", rfc3339_now());
  e.set("datacontenttype", "application/json");
  for (auto& [k, v] : impl_->extensions) e.set(k, v);
  if (!traceparent.empty()) e.set("traceparent", traceparent);
  e.data = std::move(json_data);
  e.has_data = true;
  {
    std::lock_guard lk(impl_->mu);
    if (impl_->stopping || impl_->buffer.size() >= opts_.max_buffer) {
      impl_->dropped->inc();
      return;
    }
    impl_->buffer.push_back(std::move(e));
  }
  impl_->cv.notify_one();
}

void EventEmitter::run() {
  asio::io_context ioc(1);
  http::ClientOptions co;
  co.single_threaded = true;
  co.connect_timeout = opts_.timeout;
  http::Client client(ioc.get_executor(), co);
  auto drain_deadline = std::chrono::steady_clock::time_point::max();
  for (;;) {
    std::vector<events::CloudEvent> batch;
    {
      std::unique_lock lk(impl_->mu);
      impl_->cv.wait(lk, [&] { return impl_->stopping || !impl_->buffer.empty(); });
      if (impl_->stopping && drain_deadline == std::chrono::steady_clock::time_point::max())
        drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      if (impl_->buffer.empty() || std::chrono::steady_clock::now() > drain_deadline) {
        impl_->dropped->inc(double(impl_->buffer.size()));
        break;
      }
      while (!impl_->buffer.empty() && batch.size() < opts_.max_batch) {
        batch.push_back(std::move(impl_->buffer.front()));
        impl_->buffer.pop_front();
      }
    }
    // One coroutine per batch on this thread's io_context; run until it is done (pooled
    // connections' timers may stay queued for the next batch).
    bool done = false;
    auto send = [&]() -> asio::awaitable<void> {
      auto post = [&](http::Request req) -> asio::awaitable<bool> {
        auto r = co_await client.request(impl_->url.endpoint, std::move(req), opts_.timeout);
        co_return r.ok() && r.response.result_int() >= 200 && r.response.result_int() < 300;
      };
      if (opts_.batch) {
        http::Request req{http::Verb::post, impl_->url.target, 11};
        req.set(http::Field::content_type, "application/cloudevents-batch+json");
        req.body() = events::to_batch_json(batch);
        const bool ok = co_await post(std::move(req));
        (ok ? impl_->sent : impl_->failed)->inc(double(batch.size()));
      } else {
        for (auto& e : batch) {
          http::Request req{http::Verb::post, impl_->url.target, 11};
          for (auto& [k, v] : events::binary_headers(e)) req.set(k, v);
          req.body() = e.data;
          const bool ok = co_await post(std::move(req));
          (ok ? impl_->sent : impl_->failed)->inc();
        }
      }
      done = true;
    };
    asio::co_spawn(ioc, send(), asio::detached);
    while (!done) ioc.run_one();
  }
  client.close_idle();
  ioc.poll();
}

}  // namespace mlfaas::function
