#pragma once
// Bytes from the kernel's CSPRNG (getrandom): passwords, call ids. Thread-safe.
#include <cstddef>

namespace mlfaas {

// Fills `buf` with `n` random bytes; throws std::runtime_error if the kernel refuses.
void random_bytes(void* buf, size_t n);

}  // namespace mlfaas
