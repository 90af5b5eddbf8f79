#pragma once
// The node's CPU, shared by every function's replicas: a replica starts only when its CPU request
// fits in what is left, like the Kubernetes scheduler placing a pod on a node; the rest stay
// pending until capacity frees. Pure bookkeeping on the platform's I/O thread.
#include <cstddef>

namespace mlfaas::platform {

class NodeCapacity {
 public:
  explicit NodeCapacity(double cores) : cores_(cores) {}

  double cores() const { return cores_; }
  double reserved() const { return reserved_; }
  // What a replica asking for `request` cores reserves: the request, capped at the whole node (a
  // replica asking for more than the node has still runs, alone); 0 = no request, reserves nothing.
  double reservation(double request) const { return request > cores_ ? cores_ : request; }
  // Reserves `reservation(request)` if it fits; false leaves the replica pending.
  bool reserve(double request);
  void release(double request);

 private:
  double cores_;
  double reserved_ = 0;
};

}  // namespace mlfaas::platform
