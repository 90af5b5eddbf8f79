#include "support/callback_receiver.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/responses.h"
#include "http/server.h"

namespace mlfaas::test {

struct CallbackReceiver::Impl {
  boost::asio::io_context ioc{1};
  std::unique_ptr<http::Server> server;
  std::thread thread;
  mutable std::mutex mu;
  std::vector<Received> got;
  int fail = 0, refused = 0, replies = 0, delay_ms = 0;
  std::string reply_type;
  unsigned fail_status = 503;
};

CallbackReceiver::CallbackReceiver() : impl_(std::make_unique<Impl>()) {
  http::ServerOptions so;
  so.address = "127.0.0.1";
  so.port = 0;
  auto* impl = impl_.get();
  impl->server = std::make_unique<http::Server>(
      impl->ioc, so, [impl](http::Request& req, http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        int delay_ms;
        {
          std::lock_guard lk(impl->mu);
          delay_ms = impl->delay_ms;
        }
        if (delay_ms > 0) {
          boost::asio::steady_timer t(impl->ioc);
          t.expires_after(std::chrono::milliseconds(delay_ms));
          co_await t.async_wait(boost::asio::use_awaitable);
        }
        std::lock_guard lk(impl->mu);
        if (impl->fail > 0) {
          --impl->fail;
          ++impl->refused;
          co_return http::error_response(http::Status(impl->fail_status), "refused by the test");
        }
        Received r{std::string(req["X-Call-Id"]), std::string(req["X-Function-Status"]),
                   std::string(req["X-Function-Name"]), std::string(req["X-Duration-Seconds"]), req.body(), {}};
        for (auto& f : req) {
          std::string name(f.name_string());
          for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
          r.headers[name] = std::string(f.value());
        }
        impl->got.push_back(std::move(r));
        if (!impl->reply_type.empty()) {
          http::Response res{http::Status::ok, 11};
          res.set("ce-specversion", "1.0");
          res.set("ce-type", impl->reply_type);
          res.set("ce-source", "test/receiver");
          res.set("ce-id", "reply-" + std::to_string(++impl->replies));
          res.set(http::Field::content_type, "application/json");
          res.body() = R"({"reply":true})";
          res.prepare_payload();
          co_return res;
        }
        co_return http::text_response(http::Status::ok, "ok");
      });
  impl->server->start();
  impl->thread = std::thread([impl] { impl->ioc.run(); });
}

CallbackReceiver::~CallbackReceiver() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::string CallbackReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->server->port()) + path;
}

std::vector<CallbackReceiver::Received> CallbackReceiver::received() const {
  std::lock_guard lk(impl_->mu);
  return impl_->got;
}

std::set<std::string> CallbackReceiver::call_ids() const {
  std::lock_guard lk(impl_->mu);
  std::set<std::string> ids;
  for (auto& r : impl_->got) ids.insert(r.call_id);
  return ids;
}

size_t CallbackReceiver::count() const {
  std::lock_guard lk(impl_->mu);
  return impl_->got.size();
}

void CallbackReceiver::fail_next(int n, unsigned status) {
  std::lock_guard lk(impl_->mu);
  impl_->fail = n;
  impl_->fail_status = status;
}

std::set<std::string> CallbackReceiver::distinct(const std::string& h) const {
  std::lock_guard lk(impl_->mu);
  std::set<std::string> out;
  for (auto& r : impl_->got) out.insert(r.header(h));
  return out;
}

void CallbackReceiver::set_delay(int ms) {
  std::lock_guard lk(impl_->mu);
  impl_->delay_ms = ms;
}

void CallbackReceiver::reply_with_event(const std::string& type) {
  std::lock_guard lk(impl_->mu);
  impl_->reply_type = type;
}

int CallbackReceiver::refused() const {
  std::lock_guard lk(impl_->mu);
  return impl_->refused;
}

}  // namespace mlfaas::test
