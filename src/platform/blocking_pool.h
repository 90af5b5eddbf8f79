#pragma once
// Blocking calls (NATS publishes and acks, queue admin reads) off the I/O thread: a coroutine
// co_awaits pool.run<T>(f); f runs on one of the pool's threads and the coroutine resumes on its
// own executor with the result, or the exception f threw.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>

#include "http/async_result.h"

namespace mlfaas::platform {

class BlockingPool {
 public:
  explicit BlockingPool(int threads = 4) : pool_(size_t(threads)) {}
  ~BlockingPool() { pool_.join(); }

  template <class T>
  boost::asio::awaitable<T> run(std::function<T()> f) {
    auto start = [this, &f](http::Completion<T> done) {
      boost::asio::post(pool_, [&f, done] {
        try {
          done(f());
        } catch (...) {
          done.fail(std::current_exception());
        }
      });
    };
    co_return co_await http::await_completion<T>(start);
  }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace mlfaas::platform
