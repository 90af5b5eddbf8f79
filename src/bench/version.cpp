#include "bench/version.h"

namespace mlfaas::bench {
const char* mlfaas_version() { return MLFAAS_VERSION; }
}  // namespace mlfaas::bench
