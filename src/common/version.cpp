#include "common/version.h"

#include <sys/utsname.h>

namespace mlfaas {

const char* version() { return MLFAAS_VERSION; }

std::string machine_arch() {
  utsname u{};
  return uname(&u) == 0 ? std::string(u.machine) : std::string("unknown");
}

}  // namespace mlfaas
