#pragma once
// Makes sure no replica, nor anything a replica started, outlives the platform, however the
// platform dies (kill -9 included). PR_SET_PDEATHSIG only reaches a replica itself, not the
// processes it started (`sh -c 'python3 fn.py'` leaves python behind); so a small watcher process,
// forked before any thread exists, keeps the list of replica process groups the platform tells it
// about over a pipe. When that pipe reaches EOF — the platform exited, for whatever reason — it
// SIGKILLs every group still listed, and exits.
#include <sys/types.h>

#include <string>
#include <vector>

namespace mlfaas::platform {

class OrphanGuard {
 public:
  // Forks the watcher; call early, while the process is single-threaded. Without a watcher
  // (fork failed) the guard does nothing. `cleanup` (if any) runs after the groups are killed:
  // containers are not process groups of ours (`podman rm` of this platform's label).
  static void start(const std::vector<std::string>& cleanup = {});
  // Every replica is its own process group (its pid); these keep the watcher's list current.
  static void add(pid_t pgid);
  static void remove(pid_t pgid);
  static bool running();
};

}  // namespace mlfaas::platform
