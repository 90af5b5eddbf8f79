#pragma once
// A request's "the caller has gone" signal. The server connection owns one per request and fires it
// when the client closes its connection (or it breaks) while the handler is still working — the way
// Go's net/http cancels r.Context(), on which Knative's activator and queue-proxy act. Handlers pass
// flag() to work on other threads (the inference queue drops such a task unrun) and subscribe to
// abort what they are waiting for (the gateway leaves its queue or closes the upstream exchange).
//
// Threading: cancel() and subscriptions run on the connection's strand; flag() may be read anywhere.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace mlfaas::http {

class Cancellation {
 public:
  class Subscription {
   public:
    Subscription() = default;
    Subscription(std::weak_ptr<Cancellation> c, uint64_t id) : c_(std::move(c)), id_(id) {}
    Subscription(Subscription&& o) noexcept : c_(std::move(o.c_)), id_(o.id_) { o.c_.reset(); }
    Subscription& operator=(Subscription&& o) noexcept {
      reset();
      c_ = std::move(o.c_);
      id_ = o.id_;
      o.c_.reset();
      return *this;
    }
    ~Subscription() { reset(); }
    void reset() {
      if (auto c = c_.lock()) c->callbacks_.erase(id_);
      c_.reset();
    }

   private:
    std::weak_ptr<Cancellation> c_;
    uint64_t id_ = 0;
  };

  bool cancelled() const { return flag_->load(std::memory_order_acquire); }
  std::shared_ptr<const std::atomic<bool>> flag() const { return flag_; }

  // Runs f once the caller has gone (right away if it already has), unless the subscription is
  // destroyed first.
  [[nodiscard]] static Subscription on_cancel(const std::shared_ptr<Cancellation>& self, std::function<void()> f) {
    if (!self) return {};
    if (self->cancelled()) {
      f();
      return {};
    }
    const uint64_t id = self->next_id_++;
    self->callbacks_.emplace(id, std::move(f));
    return Subscription(self, id);
  }

  void cancel() {
    if (flag_->exchange(true, std::memory_order_acq_rel)) return;
    // One at a time: a callback may end other subscriptions.
    while (!callbacks_.empty()) {
      auto f = std::move(callbacks_.begin()->second);
      callbacks_.erase(callbacks_.begin());
      f();
    }
  }

 private:
  std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(false);
  std::map<uint64_t, std::function<void()>> callbacks_;
  uint64_t next_id_ = 0;
};

}  // namespace mlfaas::http
