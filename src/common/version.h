#pragma once
// The mlfaas version (the CMake project version: one definition for --version, /system/info,
// KServe V2 metadata and bench --json files) and the machine it runs on.
#include <string>

namespace mlfaas {

const char* version();
// The machine's architecture as uname reports it ("x86_64", "aarch64").
std::string machine_arch();

}  // namespace mlfaas
