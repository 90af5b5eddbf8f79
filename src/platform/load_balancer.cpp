#include "platform/load_balancer.h"

#include <limits>

namespace mlfaas::platform {

void LoadBalancer::add(int replica, int capacity) { slots_[replica] = Slot{0, capacity, false}; }

void LoadBalancer::remove(int replica) { slots_.erase(replica); }

void LoadBalancer::set_routable(int replica, bool routable) {
  auto it = slots_.find(replica);
  if (it != slots_.end()) it->second.routable = routable;
}

bool LoadBalancer::routable(int replica) const {
  auto it = slots_.find(replica);
  return it != slots_.end() && it->second.routable;
}

std::optional<int> LoadBalancer::acquire(std::optional<int> avoid) {
  // Least loaded by absolute in-flight count; among equals, the first after the cursor, so equal
  // replicas take turns instead of the lowest id getting every request.
  int best = -1, best_load = std::numeric_limits<int>::max();
  bool avoid_has_room = false;
  auto consider = [&](int id, const Slot& s) {
    if (!s.routable || (s.capacity > 0 && s.in_flight >= s.capacity)) return;
    if (avoid && id == *avoid) {
      avoid_has_room = true;
      return;
    }
    if (s.in_flight < best_load) {
      best = id;
      best_load = s.in_flight;
    }
  };
  for (auto it = slots_.upper_bound(cursor_); it != slots_.end(); ++it) consider(it->first, it->second);
  for (auto it = slots_.begin(); it != slots_.end() && it->first <= cursor_; ++it) consider(it->first, it->second);
  if (best < 0 && avoid_has_room) best = *avoid;
  if (best < 0) return std::nullopt;
  ++slots_[best].in_flight;
  cursor_ = best;
  return best;
}

void LoadBalancer::release(int replica) {
  auto it = slots_.find(replica);
  if (it != slots_.end() && it->second.in_flight > 0) --it->second.in_flight;
}

int LoadBalancer::in_flight(int replica) const {
  auto it = slots_.find(replica);
  return it == slots_.end() ? 0 : it->second.in_flight;
}

int LoadBalancer::total_in_flight() const {
  int n = 0;
  for (auto& [id, s] : slots_) n += s.in_flight;
  return n;
}

int LoadBalancer::routable_count() const {
  int n = 0;
  for (auto& [id, s] : slots_) n += s.routable ? 1 : 0;
  return n;
}

int LoadBalancer::free_capacity() const {
  int n = 0;
  for (auto& [id, s] : slots_) {
    if (!s.routable) continue;
    if (s.capacity == 0) return -1;
    n += s.capacity - s.in_flight;
  }
  return n;
}

}  // namespace mlfaas::platform
