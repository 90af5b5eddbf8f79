#pragma once
// Awaiting work that completes on another thread (a worker pool, a batcher, a callback API).
//
//   // in a handler (running on the connection's strand):
//   Prediction p = co_await http::await_completion<Prediction>([&](http::Completion<Prediction> done) {
//     pool.submit(job, std::move(done));   // a worker later calls done(result) or done.fail(e)
//   });
//   // resumed here on the coroutine's own executor (the strand), never on the worker thread
//
// `start` runs immediately on the awaiting thread. The Completion is cheap to copy and converts to
// std::function<void(T)>. The first call wins; later calls are ignored. If every copy is destroyed
// without being called, the awaiting coroutine resumes with CompletionDropped rather than hanging.
// While the work is pending the io_context counts it as outstanding work, so run() won't return.
//
// g++ 12 caveat (compiler bug, see asio issue #858): a lambda that captures something with a
// non-trivial destructor (std::string, shared_ptr, ...) *by value* must not be written inside the
// co_await expression itself: the closure is destroyed twice. Name it first:
//   auto submit = [job = std::move(job), &pool](http::Completion<R> done) { pool.submit(job, done); };
//   R r = co_await http::await_completion<R>(submit);
// Lambdas capturing only references or trivial values are fine inline.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>

namespace mlfaas::http {

struct CompletionDropped : std::logic_error {
  CompletionDropped() : std::logic_error("the work was dropped without completing (Completion never called)") {}
};

namespace detail {

// The value a completion carries; std::monostate-like stand-in for void.
template <class T> struct CompletionValue { using type = std::optional<T>; };
template <> struct CompletionValue<void> { using type = bool; };

template <class T>
struct CompletionStateBase {
  using Value = typename CompletionValue<T>::type;
  virtual ~CompletionStateBase() = default;
  // Returns false if already completed.
  bool complete(std::exception_ptr error, Value value) {
    if (done.exchange(true)) return false;
    deliver(std::move(error), std::move(value));
    return true;
  }
  virtual void deliver(std::exception_ptr error, Value value) = 0;
  std::atomic<bool> done{false};
};

template <class T, class Handler>
struct CompletionState final : CompletionStateBase<T> {
  using Value = typename CompletionStateBase<T>::Value;
  explicit CompletionState(Handler h)
      : handler(std::move(h)),
        work(boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                 boost::asio::execution::outstanding_work.tracked)) {}
  ~CompletionState() override {
    if (!this->done.exchange(true)) deliver(std::make_exception_ptr(CompletionDropped()), Value{});
  }
  void deliver(std::exception_ptr error, Value value) override {
    // Resume the coroutine through its own executor (its strand), whichever thread we are on.
    auto ex = boost::asio::get_associated_executor(handler);
    boost::asio::post(ex, [h = std::move(handler), error = std::move(error), value = std::move(value)]() mutable {
      std::move(h)(std::move(error), std::move(value));
    });
  }
  Handler handler;
  std::decay_t<decltype(boost::asio::prefer(std::declval<boost::asio::associated_executor_t<Handler>>(),
                                            boost::asio::execution::outstanding_work.tracked))>
      work;
};

}  // namespace detail

// The callback side of await_completion(): call it (or fail()) once, from any thread.
template <class T>
class Completion {
 public:
  explicit Completion(std::shared_ptr<detail::CompletionStateBase<T>> s) : state_(std::move(s)) {}

  template <class U = T, class = std::enable_if_t<!std::is_void_v<U>>>
  void operator()(U value) const {
    state_->complete(nullptr, std::optional<T>(std::move(value)));
  }
  template <class U = T, class = std::enable_if_t<std::is_void_v<U>>>
  void operator()() const {
    state_->complete(nullptr, true);
  }
  // The awaiting coroutine rethrows `error`.
  void fail(std::exception_ptr error) const { state_->complete(std::move(error), {}); }

 private:
  std::shared_ptr<detail::CompletionStateBase<T>> state_;
};

// Suspends the calling coroutine until the Completion given to `start` is called (on any thread),
// then resumes it on the coroutine's executor with the value (or rethrows the failure).
template <class T, class Start>
boost::asio::awaitable<T> await_completion(Start start) {
  using Value = typename detail::CompletionValue<T>::type;
  auto token = boost::asio::as_tuple(boost::asio::use_awaitable);  // failures travel as values, not throws
  // (No structured binding here: g++ 12 mishandles them around co_await for non-trivial types.)
  std::tuple<std::exception_ptr, Value> result = co_await boost::asio::async_initiate<decltype(token), void(std::exception_ptr, Value)>(
      [&start](auto handler) {
        using State = detail::CompletionState<T, std::decay_t<decltype(handler)>>;
        start(Completion<T>(std::make_shared<State>(std::move(handler))));
      },
      token);
  if (std::get<0>(result)) std::rethrow_exception(std::get<0>(result));
  if constexpr (!std::is_void_v<T>) co_return std::move(*std::get<1>(result));
}

}  // namespace mlfaas::http
