#pragma once
// Blocking calls (NATS publishes and acks, queue admin reads) off the I/O thread: a coroutine
// co_awaits pool.run<T>(f); f runs on one of the pool's threads and the coroutine resumes on its
// own executor with the result, or the exception f threw.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <functional>

#include "http/async_result.h"

namespace mlfaas::platform {

class BlockingPool {
 public:
  explicit BlockingPool(int threads = 4) : pool_(size_t(threads)) {}
  ~BlockingPool() { pool_.join(); }

  // Calls posted and not finished: callers that accept work refuse it (503) beyond a limit, so a
  // flood waits in no unbounded line (measured: without it, broker ingress at 2x capacity answered
  // 89 % of requests after the callers' 2 s timeout).
  int pending() const { return pending_.load(std::memory_order_relaxed); }

  template <class T>
  boost::asio::awaitable<T> run(std::function<T()> f) {
    auto start = [this, &f](http::Completion<T> done) {
      pending_.fetch_add(1, std::memory_order_relaxed);
      boost::asio::post(pool_, [this, &f, done] {
        try {
          auto r = f();
          pending_.fetch_sub(1, std::memory_order_relaxed);
          done(std::move(r));
        } catch (...) {
          pending_.fetch_sub(1, std::memory_order_relaxed);
          done.fail(std::current_exception());
        }
      });
    };
    co_return co_await http::await_completion<T>(start);
  }

 private:
  boost::asio::thread_pool pool_;
  std::atomic<int> pending_{0};
};

// Publishes waiting for the pool beyond which new events and async calls are refused at once:
// at ~4,000 publishes/s on 2 cores, a wait of ~60 ms.
inline constexpr int kMaxPendingPublishes = 256;

}  // namespace mlfaas::platform
