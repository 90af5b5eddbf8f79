// await_completion: work finished on a plain std::thread resumes the coroutine on its own executor.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "http/async_result.h"

namespace mlfaas::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A tiny worker pool: jobs run on its threads, never on io_context threads.
class WorkerPool {
 public:
  explicit WorkerPool(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { loop(); });
  }
  ~WorkerPool() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void submit(std::function<void()> job) {
    {
      std::lock_guard lk(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }
  bool is_worker(std::thread::id id) const {
    for (auto& t : threads_)
      if (t.get_id() == id) return true;
    return false;
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Runs the io_context on two threads until `ioc` runs out of work.
void run_on_two_threads(asio::io_context& ioc) {
  std::thread other([&] { ioc.run(); });
  ioc.run();
  other.join();
}

TEST(AsyncResult, ResumesOnTheCoroutinesStrandAfterAThreadCompletes) {
  asio::io_context ioc;
  auto strand = asio::make_strand(ioc);
  std::thread::id worker_id, resumed_id;
  bool resumed_in_strand = false;
  int value = 0;
  asio::co_spawn(
      strand,
      [&]() -> asio::awaitable<void> {
        value = co_await await_completion<int>([&](Completion<int> done) {
          std::thread([&worker_id, done] {
            worker_id = std::this_thread::get_id();
            std::this_thread::sleep_for(20ms);
            done(42);
          }).detach();
        });
        resumed_id = std::this_thread::get_id();
        resumed_in_strand = strand.running_in_this_thread();
      },
      asio::detached);
  run_on_two_threads(ioc);  // returns only after the completion: pending work is tracked
  EXPECT_EQ(value, 42);
  EXPECT_TRUE(resumed_in_strand);
  EXPECT_NE(resumed_id, worker_id);
  EXPECT_NE(worker_id, std::thread::id());
}

TEST(AsyncResult, CompletionConvertsToStdFunction) {
  asio::io_context ioc;
  std::string got;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        got = co_await await_completion<std::string>([](Completion<std::string> done) {
          std::function<void(std::string)> callback = done;  // what a callback-style API takes
          std::thread([callback] { callback("from worker"); }).detach();
        });
      },
      asio::detached);
  ioc.run();
  EXPECT_EQ(got, "from worker");
}

// The documented pattern for by-value captures with non-trivial destructors under g++ 12.
TEST(AsyncResult, NamedLambdaWithByValueCaptures) {
  asio::io_context ioc;
  std::string got;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        auto prefix = std::make_shared<std::string>("job-");
        std::string name(100, 'n');  // heap-allocated: a double destruction would be caught by ASan
        auto start = [prefix, name](Completion<std::string> done) {
          std::thread([prefix, name, done] { done(*prefix + name); }).detach();
        };
        got = co_await await_completion<std::string>(start);
      },
      asio::detached);
  ioc.run();
  EXPECT_EQ(got, "job-" + std::string(100, 'n'));
}

TEST(AsyncResult, FailureIsRethrownInTheCoroutine) {
  asio::io_context ioc;
  std::string error;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        try {
          co_await await_completion<int>([](Completion<int> done) {
            std::thread([done] { done.fail(std::make_exception_ptr(std::runtime_error("inference failed"))); }).detach();
          });
        } catch (const std::runtime_error& e) {
          error = e.what();
        }
      },
      asio::detached);
  ioc.run();
  EXPECT_EQ(error, "inference failed");
}

TEST(AsyncResult, VoidCompletion) {
  asio::io_context ioc;
  bool after = false;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await await_completion<void>([](Completion<void> done) { std::thread([done] { done(); }).detach(); });
        after = true;
      },
      asio::detached);
  ioc.run();
  EXPECT_TRUE(after);
}

TEST(AsyncResult, DroppedCompletionResumesWithAnError) {
  asio::io_context ioc;
  bool dropped = false;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        try {
          co_await await_completion<int>([](Completion<int> done) {
            std::thread([done]() mutable { (void)done; }).detach();  // never called
          });
        } catch (const CompletionDropped&) {
          dropped = true;
        }
      },
      asio::detached);
  ioc.run();  // must not hang
  EXPECT_TRUE(dropped);
}

TEST(AsyncResult, SecondCallIsIgnored) {
  asio::io_context ioc;
  int value = 0;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        value = co_await await_completion<int>([](Completion<int> done) {
          done(1);  // synchronous completion works too
          done(2);
        });
      },
      asio::detached);
  ioc.run();
  EXPECT_EQ(value, 1);
}

TEST(AsyncResult, ManyConcurrentCompletionsEachResumeOnTheirStrand) {
  constexpr int kCoroutines = 2000;
  asio::io_context ioc;
  WorkerPool pool(4);
  std::atomic<long> sum{0};
  std::atomic<int> wrong_executor{0}, on_worker{0};
  for (int i = 0; i < kCoroutines; ++i) {
    auto strand = asio::make_strand(ioc);
    asio::co_spawn(
        strand,
        [&, strand, i]() -> asio::awaitable<void> {
          for (int round = 0; round < 3; ++round) {
            int v = co_await await_completion<int>([&, i](Completion<int> done) {
              pool.submit([done, i] { done(i); });
            });
            if (!strand.running_in_this_thread()) ++wrong_executor;
            if (pool.is_worker(std::this_thread::get_id())) ++on_worker;
            sum += v;
          }
        },
        asio::detached);
  }
  run_on_two_threads(ioc);
  EXPECT_EQ(sum.load(), 3L * kCoroutines * (kCoroutines - 1) / 2);
  EXPECT_EQ(wrong_executor.load(), 0);
  EXPECT_EQ(on_worker.load(), 0);
}

}  // namespace
}  // namespace mlfaas::http
