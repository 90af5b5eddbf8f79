#pragma once
// How many cores this process may use: the CPUs it is allowed to run on (sched_getaffinity,
// taskset, cpusets), capped by a cgroup v2 CPU quota (cpu.max: a container's CPU limit) rounded up.
// A server sizes its worker threads from this, never from the machine's core count alone.
#include <optional>
#include <string_view>

namespace mlfaas {

int usable_cpus();
// The quota of a cgroup v2 cpu.max line ("200000 100000" -> 2.0, "max 100000" -> nullopt).
std::optional<double> parse_cpu_max(std::string_view line);
// A Kubernetes CPU quantity in cores: "2" -> 2, "1.5" -> 1.5, "500m" -> 0.5; nullopt if invalid.
std::optional<double> parse_cpu_quantity(std::string_view q);

}  // namespace mlfaas
