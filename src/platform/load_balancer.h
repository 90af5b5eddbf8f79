#pragma once
// Which replica gets the next request: the least loaded routable replica that is below its
// containerConcurrency, round-robin among equals. Pure bookkeeping (no I/O, no clock), so the
// gateway's routing rules are unit-tested directly. Requests that find no free replica wait in
// the function's queue (FunctionRuntime) and are handed out here as soon as one frees up.
#include <map>
#include <optional>

namespace mlfaas::platform {

class LoadBalancer {
 public:
  // capacity: containerConcurrency, 0 = unlimited.
  void add(int replica, int capacity);
  void remove(int replica);
  // Only routable replicas get new requests (draining and starting ones don't).
  void set_routable(int replica, bool routable);
  bool routable(int replica) const;

  // Picks a replica and counts the request on it; nullopt when every routable replica is full
  // (or there is none). `avoid` (a replica that just failed this request) is taken only when no
  // other replica has room.
  std::optional<int> acquire(std::optional<int> avoid = std::nullopt);
  void release(int replica);

  int in_flight(int replica) const;
  int total_in_flight() const;
  int routable_count() const;
  // Requests the routable replicas can still take right now (-1 = unlimited).
  int free_capacity() const;

 private:
  struct Slot {
    int in_flight = 0;
    int capacity = 0;
    bool routable = false;
  };
  std::map<int, Slot> slots_;
  int cursor_ = -1;  // last replica picked, for round-robin among equally loaded ones
};

}  // namespace mlfaas::platform
