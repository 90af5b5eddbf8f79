#pragma once
// The mlfaas version recorded in every --json file (the project version from CMake).
namespace mlfaas::bench {
const char* mlfaas_version();
}
