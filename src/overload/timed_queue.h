#pragma once
// A queue of requests waiting for a server slot, run by a QueuePolicy: admission at the door,
// adaptive LIFO order, and dropping of requests whose caller left, whose deadline passed or that
// waited too long while overloaded. Pure bookkeeping (no I/O, no locks, the clock passed in):
// the owner holds its own lock or strand, and answers what it is handed back.
//
//   TimedQueue<Job> q(limits, now);
//   if (auto r = q.push(now, job, {.deadline = d, .bytes = n, .cancelled = flag}); r != Rejection::none) reject(r);
//   q.sweep(now, [](Job&& j, DropReason why, TimePoint arrival) { answer(j, why); });  // before taking work
//   if (auto job = q.pop(now)) run(*job);
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "overload/queue_policy.h"

namespace mlfaas::overload {

// Set (from any thread) when a request's caller has gone; read by whoever holds the request.
using CancelFlag = std::shared_ptr<const std::atomic<bool>>;

struct Admission {
  TimePoint deadline = TimePoint::max();
  uint64_t bytes = 0;
  CancelFlag cancelled;  // may be null: never cancelled
  // False for part of a larger unit of work admitted as a whole (the images of one batch request):
  // such a request may expire or be abandoned, but is not shed.
  bool sheddable = true;
};

template <class T>
class TimedQueue {
 public:
  TimedQueue(QueueLimits limits, TimePoint now) : policy_(limits, now) {}

  QueuePolicy& policy() { return policy_; }
  const QueuePolicy& policy() const { return policy_; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  uint64_t bytes() const { return bytes_; }

  // Whether anything can serve the queue now (see QueuePolicy::observe).
  void set_can_serve(TimePoint now, bool can) {
    can_serve_ = can;
    policy_.observe(now, independent_, can_serve_);
  }

  // Queues `value`, or says why not (then `value` is left untouched).
  Rejection push(TimePoint now, T& value, Admission a) {
    Rejection r = policy_.admit(now, a.deadline, items_.size(), bytes_, a.bytes);
    if (r != Rejection::none) return r;
    items_.push_back(Entry{std::move(value), now, a.deadline, a.bytes, std::move(a.cancelled), a.sheddable});
    bytes_ += a.bytes;
    independent_ += a.sheddable;
    policy_.observe(now, independent_, can_serve_);
    return Rejection::none;
  }

  // Removes every request that should not be served, handing each to drop(T&&, DropReason,
  // TimePoint arrival). If shedding would empty the queue, the newest late request is kept: a free
  // slot serves a late request rather than nothing.
  template <class Drop>
  size_t sweep(TimePoint now, Drop&& drop) {
    fates_.clear();
    bool any_kept = false;
    for (auto& e : items_) {
      fates_.push_back(policy_.fate(now, e.arrival, e.deadline,
                                    e.cancelled && e.cancelled->load(std::memory_order_acquire), e.sheddable));
      any_kept = any_kept || !fates_.back();
    }
    if (!any_kept)
      for (size_t i = fates_.size(); i-- > 0;)
        if (fates_[i] == DropReason::shed) {
          fates_[i].reset();
          break;
        }
    size_t dropped = 0, kept = 0;
    std::deque<Entry> gone;
    for (size_t i = 0; i < items_.size(); ++i) {
      if (fates_[i]) {
        bytes_ -= items_[i].bytes;
        independent_ -= items_[i].sheddable;
        gone.push_back(std::move(items_[i]));
        ++dropped;
      } else if (kept++ != i) {
        items_[kept - 1] = std::move(items_[i]);
      }
    }
    items_.erase(items_.begin() + long(kept), items_.end());
    policy_.observe(now, independent_, can_serve_);
    // Answered after the queue is consistent again: a handler may push or pop.
    size_t k = 0;
    for (size_t i = 0; i < fates_.size(); ++i)
      if (fates_[i]) {
        Entry& e = gone[k++];
        drop(std::move(e.value), *fates_[i], e.arrival);
      }
    return dropped;
  }

  // The next request to serve (newest first while overloaded), with when it arrived.
  std::optional<std::pair<T, TimePoint>> pop(TimePoint now) {
    if (items_.empty()) return std::nullopt;
    const bool lifo = policy_.lifo(now);
    Entry e = std::move(lifo ? items_.back() : items_.front());
    if (lifo) items_.pop_back();
    else items_.pop_front();
    bytes_ -= e.bytes;
    independent_ -= e.sheddable;
    policy_.observe(now, independent_, can_serve_);
    return std::make_pair(std::move(e.value), e.arrival);
  }

  // Empties the queue, handing every request to f(T&&).
  template <class F>
  void clear(F&& f) {
    auto items = std::move(items_);
    items_.clear();
    bytes_ = 0;
    independent_ = 0;
    for (auto& e : items) f(std::move(e.value));
  }

  // The arrival time of the request waiting longest (for batching delays).
  std::optional<TimePoint> oldest_arrival() const {
    if (items_.empty()) return std::nullopt;
    return items_.front().arrival;
  }

 private:
  struct Entry {
    T value;
    TimePoint arrival;
    TimePoint deadline;
    uint64_t bytes;
    CancelFlag cancelled;
    bool sheddable;
  };
  QueuePolicy policy_;
  std::deque<Entry> items_;  // in arrival order
  std::vector<std::optional<DropReason>> fates_;  // sweep's scratch
  uint64_t bytes_ = 0;
  // Requests that stand alone (sheddable): only their standing queue is overload. The images of
  // one large batch request queue up behind each other without anyone else waiting.
  size_t independent_ = 0;
  bool can_serve_ = true;
};

}  // namespace mlfaas::overload
