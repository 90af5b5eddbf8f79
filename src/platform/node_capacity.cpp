#include "platform/node_capacity.h"

namespace mlfaas::platform {

namespace {
constexpr double kEpsilon = 1e-9;  // requests like 0.1 + 0.2 must fit in 0.3
}

bool NodeCapacity::reserve(double request) {
  const double r = reservation(request);
  if (r <= 0) return true;
  if (reserved_ + r > cores_ + kEpsilon) return false;
  reserved_ += r;
  return true;
}

void NodeCapacity::release(double request) {
  reserved_ -= reservation(request);
  if (reserved_ < kEpsilon) reserved_ = 0;
}

}  // namespace mlfaas::platform
