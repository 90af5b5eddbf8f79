#pragma once
// Assigns arena offsets to intermediate buffers from their lifetimes so that buffers which are
// never alive at the same time share memory (MobileNetV2 at batch 8 needs ~3 live activations,
// not ~150). Pure function, unit-tested.
#include <cstddef>
#include <vector>

namespace mlfaas::inference {

struct BufferLifetime {
  size_t bytes = 0;
  int first = 0;  // first step that writes or reads it
  int last = 0;   // last step that reads it (inclusive)
};

struct ArenaLayout {
  std::vector<size_t> offsets;  // per buffer, aligned to `alignment`
  size_t total = 0;
};

ArenaLayout plan_arena(const std::vector<BufferLifetime>& buffers, size_t alignment = 64);

}  // namespace mlfaas::inference
