#include "platform/consumer_loop.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <mutex>

#include "common/log.h"

namespace mlfaas::platform {

namespace asio = boost::asio;

struct ConsumerLoop::State {
  State(asio::io_context& ioc, std::unique_ptr<async::Consumer> consumer, std::string what, Handler handler)
      : ioc(ioc), consumer(std::move(consumer)), what(std::move(what)), handler(std::move(handler)) {}
  asio::io_context& ioc;
  std::unique_ptr<async::Consumer> consumer;
  std::string what;
  Handler handler;
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  int max_in_flight = 1;
  bool stop = false;
  void done() {
    {
      std::lock_guard lk(mu);
      --in_flight;
    }
    cv.notify_all();
  }
};

ConsumerLoop::ConsumerLoop(asio::io_context& ioc, std::unique_ptr<async::Consumer> consumer, int max_in_flight,
                           std::string what, Handler handler)
    : st_(std::make_shared<State>(ioc, std::move(consumer), std::move(what), std::move(handler))) {
  st_->max_in_flight = std::max(1, max_in_flight);
  thread_ = std::thread([st = st_] { run(st); });
}

ConsumerLoop::~ConsumerLoop() { stop(); }

void ConsumerLoop::resize(int max_in_flight) {
  {
    std::lock_guard lk(st_->mu);
    st_->max_in_flight = std::max(1, max_in_flight);
  }
  st_->cv.notify_all();
}

void ConsumerLoop::stop() {
  {
    std::lock_guard lk(st_->mu);
    st_->stop = true;
  }
  st_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConsumerLoop::run(std::shared_ptr<State> st) {
  bool warned = false;
  for (;;) {
    int room;
    {
      std::unique_lock lk(st->mu);
      st->cv.wait_for(lk, std::chrono::milliseconds(200), [&] { return st->stop || st->in_flight < st->max_in_flight; });
      if (st->stop) return;
      room = st->max_in_flight - st->in_flight;
    }
    if (room <= 0) continue;
    std::vector<async::Delivery> got;
    try {
      got = st->consumer->fetch(room, std::chrono::milliseconds(500));
      warned = false;
    } catch (const std::exception& e) {
      if (!warned) log::warn("{}: fetching from the queue: {}", st->what, e.what());
      warned = true;
      std::unique_lock lk(st->mu);
      st->cv.wait_for(lk, std::chrono::seconds(1), [&] { return st->stop; });
      continue;
    }
    if (got.empty()) continue;
    {
      std::lock_guard lk(st->mu);
      st->in_flight += int(got.size());
    }
    for (auto& d : got) {
      auto shared = std::make_shared<async::Delivery>(std::move(d));
      asio::post(st->ioc, [st, shared] {
        auto one = [](std::shared_ptr<State> st, std::shared_ptr<async::Delivery> d) -> asio::awaitable<void> {
          try {
            co_await st->handler(d);
          } catch (const std::exception& e) {
            log::error("{}: handling a delivery: {}", st->what, e.what());
          }
          st->done();
        };
        asio::co_spawn(st->ioc, one(st, shared), asio::detached);
      });
    }
  }
}

std::shared_ptr<bool> keep_in_progress(asio::io_context& ioc, std::shared_ptr<async::Delivery> d,
                                       std::chrono::milliseconds every) {
  auto working = std::make_shared<bool>(true);
  auto loop = [](std::shared_ptr<bool> working, std::shared_ptr<async::Delivery> d,
                 std::chrono::milliseconds every) -> asio::awaitable<void> {
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (;;) {
      t.expires_after(every);
      co_await t.async_wait(asio::use_awaitable);
      if (!*working) co_return;
      try {
        d->in_progress();
      } catch (const std::exception&) {
      }
    }
  };
  asio::co_spawn(ioc, loop(working, std::move(d), std::max(std::chrono::milliseconds(100), every)), asio::detached);
  return working;
}

}  // namespace mlfaas::platform
