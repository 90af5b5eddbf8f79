#pragma once
// Takes deliveries off one durable JetStream consumer on a thread of its own and hands each to a
// coroutine on the I/O thread, at most `max_in_flight` at a time (a handler's delivery counts until
// its coroutine returns). Used for async invocations (one per function) and triggers (one per
// trigger). The fetch thread only fetches: everything the handler does runs on the I/O thread.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "async/jetstream.h"

namespace mlfaas::platform {

class ConsumerLoop {
 public:
  using Handler = std::function<boost::asio::awaitable<void>(std::shared_ptr<async::Delivery>)>;
  // `what` names the loop in log lines ("function hello", "trigger demo/log").
  ConsumerLoop(boost::asio::io_context& ioc, std::unique_ptr<async::Consumer> consumer, int max_in_flight,
               std::string what, Handler handler);
  ~ConsumerLoop();  // stop()
  ConsumerLoop(const ConsumerLoop&) = delete;
  ConsumerLoop& operator=(const ConsumerLoop&) = delete;

  void resize(int max_in_flight);
  // No more fetches (joins the thread). Deliveries already handed over finish; the rest are
  // delivered again later (to whoever consumes the durable next).
  void stop();

 private:
  struct State;
  static void run(std::shared_ptr<State> st);
  std::shared_ptr<State> st_;
  std::thread thread_;
};

// Tells the queue every `every` that `d` is still being worked on (so it is not delivered again
// after the ack wait) until the returned flag is set to false. Runs on the I/O thread.
std::shared_ptr<bool> keep_in_progress(boost::asio::io_context& ioc, std::shared_ptr<async::Delivery> d,
                                       std::chrono::milliseconds every);

}  // namespace mlfaas::platform
