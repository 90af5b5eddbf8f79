#pragma once
// Bytes from the kernel's CSPRNG (getrandom): passwords, call ids. Thread-safe.
#include <cstddef>
#include <string>

namespace mlfaas {

// Fills `buf` with `n` random bytes; throws std::runtime_error if the kernel refuses.
void random_bytes(void* buf, size_t n);
// A random UUID (version 4, RFC 4122 variant), lower-case text: call ids, CloudEvent ids.
std::string uuid_v4();

}  // namespace mlfaas
