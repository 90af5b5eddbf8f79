#pragma once
// Runs a short helper command to completion and returns what it printed: `podman image inspect`,
// `podman ps`, `sha256sum`. No shell (arguments are passed as they are, nothing to quote);
// argv[0] is looked up in PATH; stdin and stderr are /dev/null. Uses posix_spawn, safe with threads.
#include <optional>
#include <string>
#include <vector>

namespace mlfaas {

// Its standard output when it ran and exited 0; nullopt when it could not be run or failed.
std::optional<std::string> command_output(const std::vector<std::string>& argv);

}  // namespace mlfaas
